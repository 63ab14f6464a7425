package selfservice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wav"
)

// Limits on a notice recording: long enough for any real notice, short
// enough that a mistaken upload of a music file is refused.
const (
	maxNoticeAudio = 3 * time.Minute
	minNoticeAudio = 200 * time.Millisecond
)

// errNoSynth: the server cannot generate speech (espeak-ng is missing).
var errNoSynth = errors.New("espeak-ng is not installed on the server: upload a recording")

// errBadAudio marks an upload the server refuses.
var errBadAudio = errors.New("bad recording")

// normaliseNoticeWAV turns an uploaded WAV (16-bit PCM, A-law or µ-law,
// mono or stereo, any rate from 8 to 48 kHz) into the telephone format the
// media engine plays: 8 kHz mono 16-bit PCM.
func normaliseNoticeWAV(data []byte) ([]byte, error) {
	pcm, rate, err := wav.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadAudio, err)
	}
	if rate < rtpcodec.ClockRate || rate > 48000 {
		return nil, fmt.Errorf("%w: sampled at %d Hz (want 8000 to 48000 Hz)", errBadAudio, rate)
	}
	pcm = resample(pcm, rate, rtpcodec.ClockRate)
	d := time.Duration(len(pcm)) * time.Second / rtpcodec.ClockRate
	if d < minNoticeAudio || d > maxNoticeAudio {
		return nil, fmt.Errorf("%w: %.1f s long (want %s to %s)", errBadAudio, d.Seconds(), minNoticeAudio, maxNoticeAudio)
	}
	var out bytes.Buffer
	if err := wav.Encode(&out, pcm, rtpcodec.ClockRate, 1); err != nil {
		return nil, fmt.Errorf("encode notice: %w", err)
	}
	return out.Bytes(), nil
}

// resample converts by averaging the input samples that fall into each
// output sample (a box low-pass filter): enough against aliasing for speech
// bound for a 4 kHz phone line, and exact at equal rates.
func resample(pcm []int16, from, to int) []int16 {
	if from == to || len(pcm) == 0 {
		return pcm
	}
	n := int(int64(len(pcm)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		lo := int(int64(i) * int64(from) / int64(to))
		hi := max(int(int64(i+1)*int64(from)/int64(to)), lo+1)
		hi = min(hi, len(pcm))
		var sum int64
		for _, s := range pcm[lo:hi] {
			sum += int64(s)
		}
		out[i] = int16(sum / int64(hi-lo))
	}
	return out
}

// synthVoices are espeak-ng's voices for the hotline's languages, the same
// choice as the prompt generator's.
var synthVoices = map[string]string{"zh": "cmn-latn-pinyin", "en": "en-us", "ko": "ko"}

// synthesiseNotice speaks text in lang with espeak-ng and returns an 8 kHz
// telephone WAV.
func synthesiseNotice(ctx context.Context, lang, text string) ([]byte, error) {
	voice, ok := synthVoices[lang]
	if !ok {
		return nil, fmt.Errorf("%w: no voice for language %q", errNoSynth, lang)
	}
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, errNoSynth
	}
	dir, err := os.MkdirTemp("", "hotline-notice-")
	if err != nil {
		return nil, fmt.Errorf("synthesise notice: %w", err)
	}
	defer os.RemoveAll(dir)
	// The text goes through a file so nothing in it can pass for an option.
	textFile, wav := filepath.Join(dir, "text.txt"), filepath.Join(dir, "speech.wav")
	if err := os.WriteFile(textFile, []byte(text), 0o600); err != nil {
		return nil, fmt.Errorf("synthesise notice: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-v", voice, "-s", "165", "-f", textFile, "-w", wav)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("synthesise notice: espeak-ng: %v: %s", err, bytes.TrimSpace(out))
	}
	data, err := os.ReadFile(wav)
	if err != nil {
		return nil, fmt.Errorf("synthesise notice: %w", err)
	}
	return normaliseNoticeWAV(data)
}
