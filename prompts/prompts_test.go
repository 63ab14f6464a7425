package prompts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const (
	wantSampleRate = 8000
	wantChannels   = 1
	formatPCM      = 1
	formatALaw     = 6
	formatMuLaw    = 7
	shortestPrompt = 200 * time.Millisecond
	longestPrompt  = 30 * time.Second
)

// wavInfo is what the tests need from a WAV header.
type wavInfo struct {
	format        uint16
	channels      uint16
	sampleRate    uint32
	bitsPerSample uint16
	dataBytes     uint32
}

func (w wavInfo) duration() time.Duration {
	bytesPerSecond := uint64(w.sampleRate) * uint64(w.channels) * uint64(w.bitsPerSample/8)
	if bytesPerSecond == 0 {
		return 0
	}
	return time.Duration(uint64(w.dataBytes) * uint64(time.Second) / bytesPerSecond)
}

var errNotWAV = errors.New("not a RIFF/WAVE file")

// parseWAV walks the RIFF chunks rather than assuming a 44-byte header, so
// studio recordings carrying LIST or fact chunks are read correctly too.
func parseWAV(raw []byte) (wavInfo, error) {
	var info wavInfo
	if len(raw) < 12 || string(raw[0:4]) != "RIFF" || string(raw[8:12]) != "WAVE" {
		return info, errNotWAV
	}
	if riffSize := binary.LittleEndian.Uint32(raw[4:8]); int(riffSize) != len(raw)-8 {
		return info, fmt.Errorf("%w: RIFF size %d, file holds %d", errNotWAV, riffSize, len(raw)-8)
	}
	var sawFormat, sawData bool
	for offset := 12; offset+8 <= len(raw); {
		id := string(raw[offset : offset+4])
		size := int(binary.LittleEndian.Uint32(raw[offset+4 : offset+8]))
		body := offset + 8
		if size < 0 || body+size > len(raw) {
			return info, fmt.Errorf("%w: chunk %q overruns the file", errNotWAV, id)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return info, fmt.Errorf("%w: fmt chunk of %d bytes", errNotWAV, size)
			}
			chunk := raw[body : body+size]
			info.format = binary.LittleEndian.Uint16(chunk[0:2])
			info.channels = binary.LittleEndian.Uint16(chunk[2:4])
			info.sampleRate = binary.LittleEndian.Uint32(chunk[4:8])
			info.bitsPerSample = binary.LittleEndian.Uint16(chunk[14:16])
			sawFormat = true
		case "data":
			info.dataBytes = uint32(size)
			sawData = true
		}
		// Chunks are padded to an even length.
		offset = body + size + size%2
	}
	if !sawFormat || !sawData {
		return info, fmt.Errorf("%w: fmt or data chunk missing", errNotWAV)
	}
	return info, nil
}

func loadTexts(t *testing.T) map[string]map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(FS, TextsFile)
	if err != nil {
		t.Fatalf("read %s: %v", TextsFile, err)
	}
	var texts map[string]map[string]string
	if err := yaml.Unmarshal(raw, &texts); err != nil {
		t.Fatalf("parse %s: %v", TextsFile, err)
	}
	if len(texts) == 0 {
		t.Fatalf("%s holds no prompts", TextsFile)
	}
	return texts
}

func TestTextsUseOnlyShippedLanguages(t *testing.T) {
	for name, byLang := range loadTexts(t) {
		if len(byLang) == 0 {
			t.Errorf("%s: no language", name)
		}
		for lang, text := range byLang {
			if !slices.Contains(Languages, lang) {
				t.Errorf("%s: language %q is not in Languages %v", name, lang, Languages)
			}
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s.%s: empty text", name, lang)
			}
		}
	}
}

func TestEveryTextHasAValidWAV(t *testing.T) {
	for name, byLang := range loadTexts(t) {
		for lang := range byLang {
			file := Path(lang, name)
			raw, err := fs.ReadFile(FS, file)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			for _, problem := range telephoneProblems(raw) {
				t.Errorf("%s: %s", file, problem)
			}
		}
	}
}

// telephoneFormat reports whether a sample encoding is one a prompt may use:
// the generator writes 16-bit PCM, and studio recordings may also arrive
// already encoded as 8-bit G.711.
func telephoneFormat(format, bitsPerSample uint16) bool {
	switch format {
	case formatPCM:
		return bitsPerSample == 16
	case formatALaw, formatMuLaw:
		return bitsPerSample == 8
	}
	return false
}

// telephoneProblems lists every way raw differs from what the media engine
// expects of a prompt; nil means the file is fine.
func telephoneProblems(raw []byte) []string {
	info, err := parseWAV(raw)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	if !telephoneFormat(info.format, info.bitsPerSample) || info.channels != wantChannels ||
		info.sampleRate != wantSampleRate {
		problems = append(problems, fmt.Sprintf(
			"format %d, %d channel(s), %d Hz, %d bits; want mono 8000 Hz, 16-bit PCM or 8-bit G.711",
			info.format, info.channels, info.sampleRate, info.bitsPerSample))
	}
	if sampleBytes := uint32(info.bitsPerSample / 8); sampleBytes > 0 && info.dataBytes%sampleBytes != 0 {
		problems = append(problems, fmt.Sprintf("%d data bytes is not a whole number of %d-bit samples",
			info.dataBytes, info.bitsPerSample))
	}
	if got := info.duration(); got < shortestPrompt || got > longestPrompt {
		problems = append(problems, fmt.Sprintf("lasts %v, want between %v and %v", got, shortestPrompt, longestPrompt))
	}
	return problems
}

func TestNoWAVWithoutText(t *testing.T) {
	texts := loadTexts(t)
	for _, lang := range Languages {
		entries, err := fs.ReadDir(FS, lang)
		if err != nil {
			t.Fatalf("language %s: %v", lang, err)
		}
		for _, entry := range entries {
			name, isWAV := strings.CutSuffix(entry.Name(), ".wav")
			if entry.IsDir() || !isWAV {
				t.Errorf("%s: only WAV files belong in a language directory", path.Join(lang, entry.Name()))
				continue
			}
			if _, ok := texts[name][lang]; !ok {
				t.Errorf("%s has no text in %s", path.Join(lang, entry.Name()), TextsFile)
			}
		}
	}
}

func TestDefaultLanguageIsShippedFirst(t *testing.T) {
	if len(Languages) == 0 || Languages[0] != Default {
		t.Fatalf("Languages = %v, want %q first", Languages, Default)
	}
}

func TestPath(t *testing.T) {
	if got := Path("ko", "greeting"); got != "ko/greeting.wav" {
		t.Fatalf("Path = %q, want ko/greeting.wav", got)
	}
	if _, err := fs.Stat(FS, Path(Default, "greeting")); err != nil {
		t.Fatalf("greeting missing in the default language: %v", err)
	}
}

// buildWAV assembles a RIFF file from chunks so parser cases stay readable.
func buildWAV(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WAVE"...)
	for _, chunk := range chunks {
		body = append(body, chunk...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func chunk(id string, body []byte) []byte {
	out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	out = append(out, body...)
	if len(body)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func fmtChunk(format, channels uint16, rate uint32, bits uint16) []byte {
	blockAlign := channels * bits / 8
	var body []byte
	body = binary.LittleEndian.AppendUint16(body, format)
	body = binary.LittleEndian.AppendUint16(body, channels)
	body = binary.LittleEndian.AppendUint32(body, rate)
	body = binary.LittleEndian.AppendUint32(body, rate*uint32(blockAlign))
	body = binary.LittleEndian.AppendUint16(body, blockAlign)
	body = binary.LittleEndian.AppendUint16(body, bits)
	return chunk("fmt ", body)
}

func TestParseWAV(t *testing.T) {
	oneSecond := make([]byte, 16000)
	good := buildWAV(fmtChunk(1, 1, 8000, 16), chunk("data", oneSecond))

	info, err := parseWAV(good)
	if err != nil {
		t.Fatalf("valid file: %v", err)
	}
	if info.duration() != time.Second || info.sampleRate != 8000 || info.channels != 1 {
		t.Fatalf("valid file: got %+v, duration %v", info, info.duration())
	}

	withExtraChunk := buildWAV(chunk("LIST", []byte("odd")), fmtChunk(1, 1, 8000, 16), chunk("data", oneSecond))
	if info, err := parseWAV(withExtraChunk); err != nil || info.dataBytes != 16000 {
		t.Fatalf("file with odd-sized LIST chunk: info %+v, err %v", info, err)
	}

	broken := map[string][]byte{
		"empty":          nil,
		"not RIFF":       append([]byte("RIFX"), good[4:]...),
		"truncated":      good[:len(good)-10],
		"no data chunk":  buildWAV(fmtChunk(1, 1, 8000, 16)),
		"no fmt chunk":   buildWAV(chunk("data", oneSecond)),
		"short fmt":      buildWAV(chunk("fmt ", []byte{1, 0}), chunk("data", oneSecond)),
		"chunk overruns": buildWAV(fmtChunk(1, 1, 8000, 16), []byte("data\xff\xff\x00\x00")),
	}
	for name, raw := range broken {
		if _, err := parseWAV(raw); !errors.Is(err, errNotWAV) {
			t.Errorf("%s: err = %v, want errNotWAV", name, err)
		}
	}
}

func TestTelephoneProblems(t *testing.T) {
	cases := map[string]struct {
		raw  []byte
		want string
	}{
		"wideband":  {buildWAV(fmtChunk(1, 1, 16000, 16), chunk("data", make([]byte, 32000))), "16000 Hz"},
		"stereo":    {buildWAV(fmtChunk(1, 2, 8000, 16), chunk("data", make([]byte, 32000))), "2 channel(s)"},
		"too short": {buildWAV(fmtChunk(1, 1, 8000, 16), chunk("data", make([]byte, 1600))), "lasts 100ms"},
		"odd data":  {buildWAV(fmtChunk(1, 1, 8000, 16), chunk("data", make([]byte, 16001))), "whole number"},
		"not wav":   {[]byte("hello"), errNotWAV.Error()},
		"8-bit PCM": {buildWAV(fmtChunk(1, 1, 8000, 8), chunk("data", make([]byte, 8000))), "8 bits"},
		"G.711 16b": {buildWAV(fmtChunk(7, 1, 8000, 16), chunk("data", make([]byte, 16000))), "16 bits"},
	}
	for name, tc := range cases {
		problems := strings.Join(telephoneProblems(tc.raw), "; ")
		if !strings.Contains(problems, tc.want) {
			t.Errorf("%s: problems %q, want mention of %q", name, problems, tc.want)
		}
	}
	fine := map[string][]byte{
		"PCM":    buildWAV(fmtChunk(1, 1, 8000, 16), chunk("data", make([]byte, 16000))),
		"mu-law": buildWAV(fmtChunk(7, 1, 8000, 8), chunk("data", make([]byte, 8000))),
		"A-law":  buildWAV(fmtChunk(6, 1, 8000, 8), chunk("fact", make([]byte, 4)), chunk("data", make([]byte, 8001))),
	}
	for name, raw := range fine {
		if problems := telephoneProblems(raw); problems != nil {
			t.Errorf("valid %s file reported: %v", name, problems)
		}
	}
}
