package g722

import "testing"

// Targets (issue #12): one 20 ms frame (320 samples -> 160 octets) encodes
// in under 5 µs and decodes in under 5 µs, with no allocation. The measured
// medians and the verdict are in bench/README.md and docs/performance.md.

func BenchmarkEncodeFrame(b *testing.B) {
	pcm := readPCM(b, "input.s16")[:FrameSamples]
	dst := make([]byte, FrameBytes)
	enc := NewEncoder()
	b.ReportAllocs()
	b.SetBytes(FrameSamples * 2)
	for b.Loop() {
		enc.Encode(dst, pcm)
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	src := readBytes(b, "ffmpeg.g722")[:FrameBytes]
	dst := make([]int16, FrameSamples)
	dec := NewDecoder()
	b.ReportAllocs()
	b.SetBytes(FrameBytes)
	for b.Loop() {
		dec.Decode(dst, src)
	}
}
