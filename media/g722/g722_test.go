package g722

import (
	"encoding/binary"
	"os"
	"testing"
)

// The vectors in testdata were made with ffmpeg 5.1's g722 codec:
//
//	input.s16           0.8 s of 16 kHz mono s16le: a 200 Hz–2.7 kHz sweep
//	                    with a 5.6 kHz tone and noise, then a full-scale
//	                    440 Hz square wave (saturation, both bands busy)
//	ffmpeg.g722         ffmpeg -f s16le -ar 16000 -ac 1 -i input.s16 -c:a g722 -f g722 ffmpeg.g722
//	ffmpeg-decoded.s16  ffmpeg -f g722 -i ffmpeg.g722 -f s16le ffmpeg-decoded.s16

func readPCM(t testing.TB, name string) []int16 {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm
}

func readBytes(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestEncodeMatchesReference(t *testing.T) {
	pcm := readPCM(t, "input.s16")
	want := readBytes(t, "ffmpeg.g722")
	got := make([]byte, len(pcm)/2)
	// Frame by frame, as RTP does: state carries across calls.
	enc := NewEncoder()
	for off := 0; off < len(pcm); off += FrameSamples {
		enc.Encode(got[off/2:], pcm[off:min(off+FrameSamples, len(pcm))])
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("octet %d: %#02x, want %#02x (and %d more differ)", i, got[i], want[i], countDiff(got[i:], want[i:])-1)
		}
	}
}

func TestDecodeMatchesReference(t *testing.T) {
	src := readBytes(t, "ffmpeg.g722")
	want := readPCM(t, "ffmpeg-decoded.s16")
	got := make([]int16, 2*len(src))
	dec := NewDecoder()
	for off := 0; off < len(src); off += FrameBytes {
		dec.Decode(got[2*off:], src[off:min(off+FrameBytes, len(src))])
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d: %d, want %d", i, got[i], want[i])
		}
	}
}

func countDiff[T comparable](a, b []T) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}
