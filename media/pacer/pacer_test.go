package pacer

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

const ms = time.Millisecond

// fakeStream records what the pacer asks of it.
type fakeStream struct {
	mu    sync.Mutex
	due   time.Duration
	calls int
}

func (f *fakeStream) SetSchedule(due time.Duration) {
	f.mu.Lock()
	f.due = due
	f.mu.Unlock()
}

func (f *fakeStream) SendDue(time.Duration, func(float64)) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
}

func (f *fakeStream) served() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

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
		p := New(WithWorkers(workers))
		owner := map[int]int{}
		for tick := int64(0); tick < 3*slotCount; tick++ {
			owners := 0
			for k := range workers {
				if p.nextTick(k, tick) == tick {
					owners++
					slot := int(tick % slotCount)
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
	if got := New().Workers(); got != min(runtime.GOMAXPROCS(0), slotCount) {
		t.Errorf("default workers %d", got)
	}
	if got := New(WithWorkers(-1)).Workers(); got != min(runtime.GOMAXPROCS(0), slotCount) {
		t.Errorf("WithWorkers(-1) gave %d", got)
	}
	if got := New(WithWorkers(64)).Workers(); got != slotCount {
		t.Errorf("WithWorkers(64) gave %d", got)
	}
	var observed float64
	p := New(WithWorkers(3), WithLatenessObserver(func(s float64) { observed = s }))
	p.observe(0.25)
	if p.Workers() != 3 || observed != 0.25 {
		t.Errorf("workers %d observed %v", p.Workers(), observed)
	}
}

func TestPacerSpreadsStreamsOverSlots(t *testing.T) {
	p := New(WithWorkers(1))
	var streams []*fakeStream
	var slotOf []int
	slots := map[int]int{}
	for range 2*slotCount + 1 {
		s := &fakeStream{}
		slot := p.Add(s, 5*ms)
		slots[slot]++
		if s.due != firstDue(5*ms, slot) {
			t.Fatalf("stream in slot %d due at %v", slot, s.due)
		}
		streams = append(streams, s)
		slotOf = append(slotOf, slot)
	}
	for slot := range slotCount {
		if n := slots[slot]; n < 2 || n > 3 {
			t.Fatalf("slot %d holds %d streams: %v", slot, n, slots)
		}
	}
	if p.Streams() != 2*slotCount+1 {
		t.Fatalf("Streams() = %d", p.Streams())
	}
	for i, s := range streams {
		p.Remove(s, slotOf[i])
		p.Remove(s, slotOf[i]) // second removal is a no-op
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
// comes back on the grid. (That a served stream then sends at most
// MaxCatchUpFrames of its backlog is the stream's side, tested in media.)
func TestServeDueCatchesUpMissedSlots(t *testing.T) {
	p := New(WithWorkers(1))
	p.epoch = time.Now().Add(-10 * time.Second) // the pacer has been running a while
	streams := make([]*fakeStream, slotCount)
	for slot := range streams {
		s := &fakeStream{}
		p.Add(s, 0)
		streams[slot] = s
	}
	current := int64(p.Elapsed() / slotWidth)
	next := p.serveDue(0, current-4) // woke 4 ms late
	served := 0
	for _, s := range streams {
		if calls := s.served(); calls > 0 {
			served++
			if calls != 1 {
				t.Fatalf("a stream was served %d times, want once", calls)
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
	before := make([]int, len(streams))
	for i, s := range streams {
		before[i] = s.served()
	}
	p.serveDue(0, current-200)
	for slot, s := range streams {
		if got := s.served() - before[slot]; got != 1 {
			t.Fatalf("slot %d served %d times after a long stall, want exactly once", slot, got)
		}
	}
}

func TestPacerStartStopIdempotent(t *testing.T) {
	p := New(WithWorkers(2))
	p.Start()
	p.Start()
	p.Stop()
	p.Stop()
	p.Start() // after Stop: no-op, must not panic or leak
	New().Stop()
}
