package media

import (
	"runtime"
	"testing"
	"time"
)

func TestFirstDue(t *testing.T) {
	cases := []struct {
		now  time.Duration
		slot int
		want time.Duration
	}{
		{0, 0, 0},
		{0, 7, 7 * ms},
		{7 * ms, 7, 7 * ms},
		{7*ms + 1, 7, 27 * ms},
		{45 * ms, 3, 63 * ms},
		{45 * ms, 19, 59 * ms},
	}
	for _, tc := range cases {
		if got := firstDue(tc.now, tc.slot); got != tc.want {
			t.Errorf("firstDue(%v, %d) = %v, want %v", tc.now, tc.slot, got, tc.want)
		}
	}
}

// Every tick belongs to exactly one worker, and all ticks of a slot to the
// same one.
func TestNextTickPartitionsSlots(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 7, 20} {
		p := NewPacer(WithWorkers(workers))
		owner := map[int]int{}
		for tick := int64(0); tick < 3*pacerSlots; tick++ {
			owners := 0
			for k := range workers {
				if p.nextTick(k, tick) == tick {
					owners++
					slot := int(tick % pacerSlots)
					if prev, seen := owner[slot]; seen && prev != k {
						t.Fatalf("workers=%d: slot %d served by %d and %d", workers, slot, prev, k)
					}
					owner[slot] = k
				}
			}
			if owners != 1 {
				t.Fatalf("workers=%d: tick %d has %d owners", workers, tick, owners)
			}
		}
	}
}

func TestPacerOptions(t *testing.T) {
	if got := NewPacer().Workers(); got != min(runtime.GOMAXPROCS(0), pacerSlots) {
		t.Errorf("default workers %d", got)
	}
	if got := NewPacer(WithWorkers(-1)).Workers(); got != min(runtime.GOMAXPROCS(0), pacerSlots) {
		t.Errorf("WithWorkers(-1) gave %d", got)
	}
	if got := NewPacer(WithWorkers(64)).Workers(); got != pacerSlots {
		t.Errorf("WithWorkers(64) gave %d", got)
	}
	var observed float64
	p := NewPacer(WithWorkers(3), WithLatenessObserver(func(s float64) { observed = s }))
	p.observe(0.25)
	if p.Workers() != 3 || observed != 0.25 {
		t.Errorf("workers %d observed %v", p.Workers(), observed)
	}
}

func TestPacerSpreadsStreamsOverSlots(t *testing.T) {
	p := NewPacer(WithWorkers(1))
	var streams []*Stream
	slots := map[int]int{}
	for range 2*pacerSlots + 1 {
		s, _ := newTestStream(StreamConfig{})
		slot := p.add(s, 5*ms)
		slots[slot]++
		if s.tx.nextDue != firstDue(5*ms, slot) {
			t.Fatalf("stream in slot %d due at %v", slot, s.tx.nextDue)
		}
		streams = append(streams, s)
		s.slot = slot
	}
	for slot := range pacerSlots {
		if n := slots[slot]; n < 2 || n > 3 {
			t.Fatalf("slot %d holds %d streams: %v", slot, n, slots)
		}
	}
	if p.Streams() != 2*pacerSlots+1 {
		t.Fatalf("Streams() = %d", p.Streams())
	}
	for _, s := range streams {
		p.remove(s, s.slot)
		p.remove(s, s.slot) // second removal is a no-op
	}
	if p.Streams() != 0 {
		t.Fatalf("Streams() = %d after removal", p.Streams())
	}
	for _, load := range p.loads {
		if load != 0 {
			t.Fatalf("loads %v after removal", p.loads)
		}
	}
}

// A worker that wakes late serves every slot it missed, each once, and
// comes back on the grid.
func TestServeDueCatchesUpMissedSlots(t *testing.T) {
	p := NewPacer(WithWorkers(1))
	p.epoch = time.Now().Add(-10 * time.Second) // the pacer has been running a while
	streams := make([]*Stream, pacerSlots)
	for slot := range streams {
		s, _ := newTestStream(StreamConfig{})
		p.add(s, 0)
		// Owe the stream a long backlog so that serving it shows.
		s.setSchedule(0)
		streams[slot] = s
	}
	current := int64(p.elapsed() / slotWidth)
	next := p.serveDue(0, current-4) // woke 4 ms late
	served := 0
	for _, s := range streams {
		if sent := s.Stats().PacketsSent; sent > 0 {
			served++
			if sent != maxCatchUpFrames {
				t.Fatalf("a stream sent %d frames, want the cap %d", sent, maxCatchUpFrames)
			}
		}
	}
	if served < 5 || served > 6 { // ticks current-4..current, plus one if the clock moved on
		t.Fatalf("served %d slots, want 5", served)
	}
	if next <= current {
		t.Fatalf("next tick %d not after %d", next, current)
	}

	// After a stall longer than a frame, every slot is served once.
	before := make([]uint64, len(streams))
	for i, s := range streams {
		s.setSchedule(0)
		before[i] = s.Stats().PacketsSent
	}
	p.serveDue(0, current-200)
	for slot, s := range streams {
		if got := s.Stats().PacketsSent - before[slot]; got != maxCatchUpFrames {
			t.Fatalf("slot %d sent %d frames after a long stall, want %d (served exactly once)", slot, got, maxCatchUpFrames)
		}
	}
}

func TestPacerStartStopIdempotent(t *testing.T) {
	p := NewPacer(WithWorkers(2))
	p.Start()
	p.Start()
	p.Stop()
	p.Stop()
	p.Start() // after Stop: no-op, must not panic or leak
	NewPacer().Stop()
}
