package mix

import (
	"bytes"
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// labelled returns n bytes of code, so a test can tell frames apart.
func labelled(code byte, n int) []byte { return bytes.Repeat([]byte{code}, n) }

func activeRing() *Relay {
	r := &Relay{}
	r.SetActive(true)
	return r
}

func popFrame(t *testing.T, r *Relay, c rtpcodec.Codec) []byte {
	t.Helper()
	var frame [rtpcodec.FrameSamples]byte
	if !r.Pop(&frame, c) {
		t.Fatal("pop found no frame")
	}
	return frame[:]
}

func TestRelayRingRechunksAnyPtime(t *testing.T) {
	r := activeRing()
	// 10 ms packets: two make a frame, in order.
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(0x11, 80))
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(0x22, 80))
	want := append(labelled(0x11, 80), labelled(0x22, 80)...)
	if got := popFrame(t, r, rtpcodec.PCMU); !bytes.Equal(got, want) {
		t.Fatalf("10 ms packets gave %x", got)
	}
	// 30 ms packets: one frame now, the remaining 10 ms waits for the next.
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(0x33, 240))
	if got := popFrame(t, r, rtpcodec.PCMU); !bytes.Equal(got, labelled(0x33, 160)) {
		t.Fatalf("first frame of a 30 ms packet %x", got)
	}
	var frame [rtpcodec.FrameSamples]byte
	if r.Pop(&frame, rtpcodec.PCMU) {
		t.Fatal("popped a frame out of 10 ms of audio")
	}
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(0x44, 240))
	want = append(labelled(0x33, 80), labelled(0x44, 80)...)
	if got := popFrame(t, r, rtpcodec.PCMU); !bytes.Equal(got, want) {
		t.Fatalf("frame across two 30 ms packets %x", got)
	}
	if got := popFrame(t, r, rtpcodec.PCMU); !bytes.Equal(got, labelled(0x44, 160)) {
		t.Fatalf("last frame %x", got)
	}
	relayed, dropped, underflows, trimmed := r.Stats()
	if relayed != 4 || dropped != 0 || underflows != 1 || trimmed != 0 {
		t.Fatalf("relayed %d dropped %d underflows %d trimmed %d", relayed, dropped, underflows, trimmed)
	}
}

func TestRelayRingOverflowDropsOldest(t *testing.T) {
	r := activeRing()
	for i := range relayFrames + 2 {
		r.Push(rtpcodec.PCMA, rtpcodec.PCMA, labelled(byte(i), rtpcodec.FrameSamples))
	}
	for i := 2; i < relayFrames+2; i++ {
		if got := popFrame(t, r, rtpcodec.PCMA); got[0] != byte(i) || got[rtpcodec.FrameSamples-1] != byte(i) {
			t.Fatalf("frame %d came out as %#x", i, got[0])
		}
	}
	if _, dropped, _, _ := r.Stats(); dropped != 2 {
		t.Fatalf("dropped %d frames, want 2", dropped)
	}
	// A payload longer than the whole ring keeps its newest samples.
	big := append(labelled(0x01, rtpcodec.FrameSamples), labelled(0x02, relayCapacity)...)
	r.Push(rtpcodec.PCMA, rtpcodec.PCMA, big)
	if got := popFrame(t, r, rtpcodec.PCMA); got[0] != 0x02 {
		t.Fatalf("oversized payload kept its oldest part")
	}
	if _, dropped, _, _ := r.Stats(); dropped != 3 {
		t.Fatalf("dropped %d frames, want 3", dropped)
	}
}

func TestRelayRingInactive(t *testing.T) {
	r := &Relay{}
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
	var frame [rtpcodec.FrameSamples]byte
	if r.Pop(&frame, rtpcodec.PCMU) {
		t.Fatal("an inactive ring relayed")
	}
	r.SetActive(true)
	if r.Pop(&frame, rtpcodec.PCMU) {
		t.Fatal("audio pushed while inactive survived activation")
	}
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
	r.SetActive(false)
	r.SetActive(true)
	if r.Pop(&frame, rtpcodec.PCMU) {
		t.Fatal("audio survived deactivation")
	}
	relayed, _, underflows, _ := r.Stats()
	if relayed != 0 || underflows != 2 {
		t.Fatalf("relayed %d underflows %d; inactive pops must not count", relayed, underflows)
	}
}

func TestRelayRingTranscodes(t *testing.T) {
	r := activeRing()
	ulaw := mediatest.ToneFrame(rtpcodec.PCMU)
	r.Push(rtpcodec.PCMU, rtpcodec.PCMA, ulaw)
	got := popFrame(t, r, rtpcodec.PCMA)
	for i, code := range ulaw {
		if got[i] != rtpcodec.UlawToAlaw(code) {
			t.Fatalf("sample %d: %#x, want %#x", i, got[i], rtpcodec.UlawToAlaw(code))
		}
	}
	// The destination switched law (re-INVITE) with audio held, and again
	// before the pop: every sample comes out in the law asked for.
	alaw := mediatest.ToneFrame(rtpcodec.PCMA)
	r.Push(rtpcodec.PCMA, rtpcodec.PCMA, alaw[:80])
	r.Push(rtpcodec.PCMA, rtpcodec.PCMU, alaw[80:])
	got = popFrame(t, r, rtpcodec.PCMA)
	for i, code := range alaw {
		if want := rtpcodec.UlawToAlaw(rtpcodec.AlawToUlaw(code)); got[i] != want {
			t.Fatalf("sample %d: %#x, want %#x", i, got[i], want)
		}
	}
}

func TestRelayRingTrimsStandingDelay(t *testing.T) {
	r := activeRing()
	var frame [rtpcodec.FrameSamples]byte
	// A burst after a stall leaves five frames waiting for good.
	for range 5 {
		r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
	}
	for range relayTrimWindow {
		r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(2, rtpcodec.FrameSamples))
		if !r.Pop(&frame, rtpcodec.PCMU) {
			t.Fatal("underflow with frames waiting")
		}
	}
	if _, _, _, trimmed := r.Stats(); trimmed != 4 {
		t.Fatalf("trimmed %d frames, want 4 (six waiting, keep two)", trimmed)
	}
	// Afterwards the steady one-in-one-out flow never underflows.
	for range 3 * relayTrimWindow {
		r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(3, rtpcodec.FrameSamples))
		if !r.Pop(&frame, rtpcodec.PCMU) {
			t.Fatal("trimming caused an underflow")
		}
	}
	if _, _, underflows, trimmed := r.Stats(); underflows != 0 || trimmed != 4 {
		t.Fatalf("underflows %d trimmed %d after settling", underflows, trimmed)
	}
}

// Jitter that sometimes leaves only the frame about to go must not be
// trimmed away.
func TestRelayRingKeepsJitterMargin(t *testing.T) {
	r := activeRing()
	var frame [rtpcodec.FrameSamples]byte
	r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
	for i := range 4 * relayTrimWindow {
		if i%10 == 0 {
			// A late packet: nothing new this frame, two the next.
			r.Pop(&frame, rtpcodec.PCMU)
			continue
		}
		r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
		if i%10 == 1 {
			r.Push(rtpcodec.PCMU, rtpcodec.PCMU, labelled(1, rtpcodec.FrameSamples))
		}
		r.Pop(&frame, rtpcodec.PCMU)
	}
	if _, _, _, trimmed := r.Stats(); trimmed != 0 {
		t.Fatalf("trimmed %d frames of needed jitter margin", trimmed)
	}
}
