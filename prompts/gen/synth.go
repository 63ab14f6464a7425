package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// voice is how one language is spoken by espeak-ng.
type voice struct {
	name           string
	wordsPerMinute int
}

// voices holds one entry per supported language. Mandarin uses the
// pinyin-based voice: the plain "cmn" voice reads its own pinyin
// transliteration with English letter sounds ("ling2" becomes "ling two").
// Rates sit a little below espeak's default of 175 because callers hear the
// prompts through a narrow-band phone line.
var voices = map[string]voice{
	"zh": {name: "cmn-latn-pinyin", wordsPerMinute: 165},
	"en": {name: "en-us", wordsPerMinute: 170},
	"ko": {name: "ko", wordsPerMinute: 165},
}

const (
	sampleRate = "8000"
	// edgeSilence is what is kept before and after the speech once the
	// synthesiser's own leading and trailing silence has been cut, so
	// concatenated fragments ("You entered" + digits) flow naturally.
	edgeSilence = "0.1"
	// silenceThreshold marks where speech starts and ends.
	silenceThreshold = "-45d"
	// peakLevel keeps every prompt at the same loudness with headroom for
	// the G.711 encoder.
	peakLevel = "-3"
)

func checkTools() error {
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (apt-get install -y espeak-ng sox): %w", tool, err)
		}
	}
	return nil
}

// synthesise renders text in lang to target. The file is written under a
// temporary name and renamed, so an interrupted run never leaves a truncated
// WAV behind.
func synthesise(ctx context.Context, lang, text, target string) error {
	speaker, ok := voices[lang]
	if !ok {
		return fmt.Errorf("synthesise: %s: %w", lang, errUnknownLang)
	}
	work, err := os.MkdirTemp("", "hotline-prompt-")
	if err != nil {
		return fmt.Errorf("synthesise: %w", err)
	}
	defer os.RemoveAll(work)

	// The text goes through a file so that nothing in it can be taken for
	// a command-line option.
	textFile := filepath.Join(work, "text.txt")
	if err := os.WriteFile(textFile, []byte(text), 0o600); err != nil {
		return fmt.Errorf("synthesise: %w", err)
	}
	speech := filepath.Join(work, "speech.wav")
	if err := runTool(ctx, "espeak-ng",
		"-v", speaker.name, "-s", strconv.Itoa(speaker.wordsPerMinute),
		"-f", textFile, "-w", speech); err != nil {
		return err
	}

	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("synthesise: %w", err)
	}
	partial := target + ".partial"
	if err := runTool(ctx, "sox", soxArgs(speech, partial)...); err != nil {
		os.Remove(partial)
		return err
	}
	if err := os.Rename(partial, target); err != nil {
		return fmt.Errorf("synthesise: %w", err)
	}
	return nil
}

// soxArgs converts the synthesiser output to telephone format: trim the
// silence at both ends (the reverse trick trims the tail), resample to
// 8 kHz, normalise the peak, then add back a short fixed pause. -R makes the
// dither noise repeatable, so the same text always yields the same bytes.
func soxArgs(input, output string) []string {
	return []string{
		"-R", input,
		"-t", "wav", "-r", sampleRate, "-c", "1", "-b", "16", "-e", "signed-integer", output,
		"silence", "1", "0.01", silenceThreshold,
		"reverse",
		"silence", "1", "0.01", silenceThreshold,
		"reverse",
		"rate", "-h", sampleRate,
		"gain", "-n", peakLevel,
		"pad", edgeSilence, edgeSilence,
	}
}

func runTool(ctx context.Context, tool string, args ...string) error {
	cmd := exec.CommandContext(ctx, tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", tool, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}
