package media

import (
	"bytes"
	"testing"
)

// labelled returns n bytes of code, so a test can tell frames apart.
func labelled(code byte, n int) []byte { return bytes.Repeat([]byte{code}, n) }

func activeRing() *relayRing {
	r := &relayRing{}
	r.setActive(true)
	return r
}

func popFrame(t *testing.T, r *relayRing, c Codec) []byte {
	t.Helper()
	var frame [FrameSamples]byte
	if !r.pop(&frame, c) {
		t.Fatal("pop found no frame")
	}
	return frame[:]
}

func TestRelayRingRechunksAnyPtime(t *testing.T) {
	r := activeRing()
	// 10 ms packets: two make a frame, in order.
	r.push(PCMU, PCMU, labelled(0x11, 80))
	r.push(PCMU, PCMU, labelled(0x22, 80))
	want := append(labelled(0x11, 80), labelled(0x22, 80)...)
	if got := popFrame(t, r, PCMU); !bytes.Equal(got, want) {
		t.Fatalf("10 ms packets gave %x", got)
	}
	// 30 ms packets: one frame now, the remaining 10 ms waits for the next.
	r.push(PCMU, PCMU, labelled(0x33, 240))
	if got := popFrame(t, r, PCMU); !bytes.Equal(got, labelled(0x33, 160)) {
		t.Fatalf("first frame of a 30 ms packet %x", got)
	}
	var frame [FrameSamples]byte
	if r.pop(&frame, PCMU) {
		t.Fatal("popped a frame out of 10 ms of audio")
	}
	r.push(PCMU, PCMU, labelled(0x44, 240))
	want = append(labelled(0x33, 80), labelled(0x44, 80)...)
	if got := popFrame(t, r, PCMU); !bytes.Equal(got, want) {
		t.Fatalf("frame across two 30 ms packets %x", got)
	}
	if got := popFrame(t, r, PCMU); !bytes.Equal(got, labelled(0x44, 160)) {
		t.Fatalf("last frame %x", got)
	}
	relayed, dropped, underflows, trimmed := r.stats()
	if relayed != 4 || dropped != 0 || underflows != 1 || trimmed != 0 {
		t.Fatalf("relayed %d dropped %d underflows %d trimmed %d", relayed, dropped, underflows, trimmed)
	}
}

func TestRelayRingOverflowDropsOldest(t *testing.T) {
	r := activeRing()
	for i := range relayFrames + 2 {
		r.push(PCMA, PCMA, labelled(byte(i), FrameSamples))
	}
	for i := 2; i < relayFrames+2; i++ {
		if got := popFrame(t, r, PCMA); got[0] != byte(i) || got[FrameSamples-1] != byte(i) {
			t.Fatalf("frame %d came out as %#x", i, got[0])
		}
	}
	if _, dropped, _, _ := r.stats(); dropped != 2 {
		t.Fatalf("dropped %d frames, want 2", dropped)
	}
	// A payload longer than the whole ring keeps its newest samples.
	big := append(labelled(0x01, FrameSamples), labelled(0x02, relayCapacity)...)
	r.push(PCMA, PCMA, big)
	if got := popFrame(t, r, PCMA); got[0] != 0x02 {
		t.Fatalf("oversized payload kept its oldest part")
	}
	if _, dropped, _, _ := r.stats(); dropped != 3 {
		t.Fatalf("dropped %d frames, want 3", dropped)
	}
}

func TestRelayRingInactive(t *testing.T) {
	r := &relayRing{}
	r.push(PCMU, PCMU, labelled(1, FrameSamples))
	var frame [FrameSamples]byte
	if r.pop(&frame, PCMU) {
		t.Fatal("an inactive ring relayed")
	}
	r.setActive(true)
	if r.pop(&frame, PCMU) {
		t.Fatal("audio pushed while inactive survived activation")
	}
	r.push(PCMU, PCMU, labelled(1, FrameSamples))
	r.setActive(false)
	r.setActive(true)
	if r.pop(&frame, PCMU) {
		t.Fatal("audio survived deactivation")
	}
	relayed, _, underflows, _ := r.stats()
	if relayed != 0 || underflows != 2 {
		t.Fatalf("relayed %d underflows %d; inactive pops must not count", relayed, underflows)
	}
}

func TestRelayRingTranscodes(t *testing.T) {
	r := activeRing()
	ulaw := toneFrame(PCMU)
	r.push(PCMU, PCMA, ulaw)
	got := popFrame(t, r, PCMA)
	for i, code := range ulaw {
		if got[i] != UlawToAlaw(code) {
			t.Fatalf("sample %d: %#x, want %#x", i, got[i], UlawToAlaw(code))
		}
	}
	// The destination switched law (re-INVITE) with audio held, and again
	// before the pop: every sample comes out in the law asked for.
	alaw := toneFrame(PCMA)
	r.push(PCMA, PCMA, alaw[:80])
	r.push(PCMA, PCMU, alaw[80:])
	got = popFrame(t, r, PCMA)
	for i, code := range alaw {
		if want := UlawToAlaw(AlawToUlaw(code)); got[i] != want {
			t.Fatalf("sample %d: %#x, want %#x", i, got[i], want)
		}
	}
}

func TestRelayRingTrimsStandingDelay(t *testing.T) {
	r := activeRing()
	var frame [FrameSamples]byte
	// A burst after a stall leaves five frames waiting for good.
	for range 5 {
		r.push(PCMU, PCMU, labelled(1, FrameSamples))
	}
	for range relayTrimWindow {
		r.push(PCMU, PCMU, labelled(2, FrameSamples))
		if !r.pop(&frame, PCMU) {
			t.Fatal("underflow with frames waiting")
		}
	}
	if _, _, _, trimmed := r.stats(); trimmed != 4 {
		t.Fatalf("trimmed %d frames, want 4 (six waiting, keep two)", trimmed)
	}
	// Afterwards the steady one-in-one-out flow never underflows.
	for range 3 * relayTrimWindow {
		r.push(PCMU, PCMU, labelled(3, FrameSamples))
		if !r.pop(&frame, PCMU) {
			t.Fatal("trimming caused an underflow")
		}
	}
	if _, _, underflows, trimmed := r.stats(); underflows != 0 || trimmed != 4 {
		t.Fatalf("underflows %d trimmed %d after settling", underflows, trimmed)
	}
}

// Jitter that sometimes leaves only the frame about to go must not be
// trimmed away.
func TestRelayRingKeepsJitterMargin(t *testing.T) {
	r := activeRing()
	var frame [FrameSamples]byte
	r.push(PCMU, PCMU, labelled(1, FrameSamples))
	for i := range 4 * relayTrimWindow {
		if i%10 == 0 {
			// A late packet: nothing new this frame, two the next.
			r.pop(&frame, PCMU)
			continue
		}
		r.push(PCMU, PCMU, labelled(1, FrameSamples))
		if i%10 == 1 {
			r.push(PCMU, PCMU, labelled(1, FrameSamples))
		}
		r.pop(&frame, PCMU)
	}
	if _, _, _, trimmed := r.stats(); trimmed != 0 {
		t.Fatalf("trimmed %d frames of needed jitter margin", trimmed)
	}
}
