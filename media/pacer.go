package media

import (
	"runtime"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/rtpstats"
)

// Pacing geometry: the 20 ms frame is cut into 20 one-millisecond phase
// slots, and each stream sends in one of them. Spreading streams over the
// slots turns one burst per frame into twenty small ones, which is what
// keeps send lateness low with many streams (see DESIGN.md).
const (
	pacerSlots = 20
	slotWidth  = rtpcodec.FrameDuration / pacerSlots
	// maxCatchUpFrames bounds how many owed frames a stream sends back to
	// back after a late wake-up. A short stall is repaired without a gap;
	// after a long one, sending its whole backlog at once would only flood
	// the peer's jitter buffer, so the rest is skipped.
	maxCatchUpFrames = 3
)

// PacerOption configures a Pacer. Options cannot fail: out-of-range values
// are clamped, so NewPacer needs no error result.
type PacerOption func(*Pacer)

// WithWorkers sets the number of pacer goroutines; n < 1 means
// GOMAXPROCS, and more than 20 (one per slot) is pointless, so n is
// clamped to 20.
func WithWorkers(n int) PacerOption {
	return func(p *Pacer) { p.workers = n }
}

// WithLatenessObserver receives, for every frame sent, how late it went
// out against that stream's own schedule, in seconds. It is called on the
// pacer goroutine with the stream's lock held, so it must be fast, must not
// allocate, and must not call back into the stream (a Prometheus
// histogram's Observe fits).
func WithLatenessObserver(observe func(seconds float64)) PacerOption {
	return func(p *Pacer) { p.observe = observe }
}

// Pacer sends every registered stream's frames on time. Worker k serves the
// slots whose index modulo the worker count is k: it computes its next due
// slot from the monotonic clock and sleeps until then, so a late wake-up
// serves every slot it missed at once and the next wake-up is back on the
// grid (a time.Ticker would silently drop the missed ticks instead).
type Pacer struct {
	epoch   time.Time // monotonic origin of every schedule
	workers int
	observe func(seconds float64)
	// RTCP and stream-quality observers (rtcp.go).
	rtcpObserve func(RTCPDirection)
	streamEnd   func(rtpstats.Quality)

	mu      sync.Mutex // guards loads, count, started, stopped
	loads   [pacerSlots]int
	count   int
	started bool
	stopped bool

	slots [pacerSlots]pacerSlot
	stop  chan struct{}
	wg    sync.WaitGroup
}

type pacerSlot struct {
	mu      sync.Mutex // held while the slot is served, so removal waits for it
	streams []*Stream
}

// NewPacer returns a stopped pacer; call Start.
func NewPacer(opts ...PacerOption) *Pacer {
	p := &Pacer{epoch: time.Now(), stop: make(chan struct{})}
	for _, opt := range opts {
		opt(p)
	}
	if p.workers < 1 {
		p.workers = runtime.GOMAXPROCS(0)
	}
	p.workers = min(p.workers, pacerSlots)
	return p
}

// Start launches the workers. It is a no-op when already started or after
// Stop.
func (p *Pacer) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.stopped {
		return
	}
	p.started = true
	for k := range p.workers {
		p.wg.Add(1)
		go p.runWorker(k)
	}
}

// Stop halts the workers and waits for them. Registered streams stay
// registered but send nothing more.
func (p *Pacer) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	close(p.stop)
	p.mu.Unlock()
	p.wg.Wait()
}

// Streams returns the number of registered streams.
func (p *Pacer) Streams() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// Workers returns the number of pacer goroutines.
func (p *Pacer) Workers() int { return p.workers }

// elapsed is the pacer's monotonic clock: time.Since uses the monotonic
// reading captured in epoch, so wall-clock steps do not disturb pacing.
func (p *Pacer) elapsed() time.Duration { return time.Since(p.epoch) }

// add places s in the least-loaded slot with its first frame due at that
// slot's next occurrence.
func (p *Pacer) add(s *Stream, now time.Duration) int {
	p.mu.Lock()
	slot := 0
	for i, load := range p.loads {
		if load < p.loads[slot] {
			slot = i
		}
	}
	p.loads[slot]++
	p.count++
	p.mu.Unlock()

	s.setSchedule(firstDue(now, slot))
	sl := &p.slots[slot]
	sl.mu.Lock()
	sl.streams = append(sl.streams, s)
	sl.mu.Unlock()
	return slot
}

// remove unregisters s from slot; once it returns, no worker is sending
// for s.
func (p *Pacer) remove(s *Stream, slot int) {
	sl := &p.slots[slot]
	sl.mu.Lock()
	found := false
	for i, other := range sl.streams {
		if other == s {
			last := len(sl.streams) - 1
			sl.streams[i] = sl.streams[last]
			sl.streams[last] = nil
			sl.streams = sl.streams[:last]
			found = true
			break
		}
	}
	sl.mu.Unlock()
	if !found {
		return
	}
	p.mu.Lock()
	p.loads[slot]--
	p.count--
	p.mu.Unlock()
}

// firstDue is the first instant at or after now that falls on slot's
// phase within the frame grid.
func firstDue(now time.Duration, slot int) time.Duration {
	due := now - now%rtpcodec.FrameDuration + time.Duration(slot)*slotWidth
	if due < now {
		due += rtpcodec.FrameDuration
	}
	return due
}

func (p *Pacer) runWorker(k int) {
	defer p.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	tick := p.nextTick(k, int64(p.elapsed()/slotWidth))
	for {
		if wait := time.Duration(tick)*slotWidth - p.elapsed(); wait > 0 {
			timer.Reset(wait)
			select {
			case <-p.stop:
				return
			case <-timer.C:
			}
		} else {
			select {
			case <-p.stop:
				return
			default:
			}
		}
		tick = p.serveDue(k, tick)
	}
}

// serveDue serves worker k's slots from tick up to the current one and
// returns the next tick to wake for. After a stall longer than a frame it
// serves each slot once: the streams' own schedules account for the
// frames they owe.
func (p *Pacer) serveDue(k int, tick int64) int64 {
	current := int64(p.elapsed() / slotWidth)
	if current-tick >= pacerSlots {
		tick = p.nextTick(k, current-pacerSlots+1)
	}
	for ; tick <= current; tick = p.nextTick(k, tick+1) {
		p.serveSlot(int(tick % pacerSlots))
	}
	return tick
}

// nextTick returns the first tick at or after from that belongs to worker k.
func (p *Pacer) nextTick(k int, from int64) int64 {
	t := from
	for int(t%pacerSlots)%p.workers != k {
		t++
	}
	return t
}

func (p *Pacer) serveSlot(slot int) {
	sl := &p.slots[slot]
	sl.mu.Lock()
	for _, s := range sl.streams {
		s.sendDue(p.elapsed(), p.observe)
	}
	sl.mu.Unlock()
}
