package pacer

import (
	"runtime"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Pacing geometry: the 20 ms frame is cut into 20 one-millisecond phase
// slots, and each stream sends in one of them. Spreading streams over the
// slots turns one burst per frame into twenty small ones, which is what
// keeps send lateness low with many streams (see DESIGN.md).
const (
	slotCount = 20
	slotWidth = rtpcodec.FrameDuration / slotCount
	// MaxCatchUpFrames bounds how many owed frames a stream sends back to
	// back after a late wake-up. A short stall is repaired without a gap;
	// after a long one, sending its whole backlog at once would only flood
	// the peer's jitter buffer, so the rest is skipped.
	MaxCatchUpFrames = 3
)

// Stream is what the pacer sends for.
type Stream interface {
	// SetSchedule is called once by Add, before any worker serves the
	// stream, with the pacer time its first frame is due.
	SetSchedule(due time.Duration)
	// SendDue sends whatever is due at now (pacer time) and hands observe
	// each frame's lateness in seconds (observe may be nil). It runs on a
	// pacer goroutine while the stream's slot is locked, so it must be
	// quick, must not block and must not call back into the pacer.
	SendDue(now time.Duration, observe func(seconds float64))
}

// Option configures a Pacer. Options cannot fail: out-of-range values
// are clamped, so New needs no error result.
type Option func(*Pacer)

// WithWorkers sets the number of pacer goroutines; n < 1 means
// GOMAXPROCS, and more than 20 (one per slot) is pointless, so n is
// clamped to 20.
func WithWorkers(n int) Option {
	return func(p *Pacer) { p.workers = n }
}

// WithLatenessObserver receives, for every frame sent, how late it went
// out against that stream's own schedule, in seconds. It is called on the
// pacer goroutine with the stream's lock held, so it must be fast, must not
// allocate, and must not call back into the stream (a Prometheus
// histogram's Observe fits).
func WithLatenessObserver(observe func(seconds float64)) Option {
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

	mu      sync.Mutex // guards loads, count, started, stopped
	loads   [slotCount]int
	count   int
	started bool
	stopped bool

	slots [slotCount]slot
	stop  chan struct{}
	wg    sync.WaitGroup
}

type slot struct {
	mu      sync.Mutex // held while the slot is served, so removal waits for it
	streams []Stream
}

// New returns a stopped pacer; call Start.
func New(opts ...Option) *Pacer {
	p := &Pacer{epoch: time.Now(), stop: make(chan struct{})}
	for _, opt := range opts {
		opt(p)
	}
	if p.workers < 1 {
		p.workers = runtime.GOMAXPROCS(0)
	}
	p.workers = min(p.workers, slotCount)
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

// Epoch is the wall-clock instant of pacer time 0, for turning pacer time
// into NTP time and for putting two pacers' clocks on one timeline.
func (p *Pacer) Epoch() time.Time { return p.epoch }

// Elapsed is the pacer's monotonic clock: time.Since uses the monotonic
// reading captured in epoch, so wall-clock steps do not disturb pacing.
func (p *Pacer) Elapsed() time.Duration { return time.Since(p.epoch) }

// Add places s in the least-loaded slot with its first frame due at that
// slot's next occurrence after now, and returns the slot for Remove.
func (p *Pacer) Add(s Stream, now time.Duration) int {
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

	s.SetSchedule(firstDue(now, slot))
	sl := &p.slots[slot]
	sl.mu.Lock()
	sl.streams = append(sl.streams, s)
	sl.mu.Unlock()
	return slot
}

// Remove unregisters s from slot; once it returns, no worker is sending
// for s. Removing a stream that is not there does nothing.
func (p *Pacer) Remove(s Stream, slot int) {
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
	tick := p.nextTick(k, int64(p.Elapsed()/slotWidth))
	for {
		if wait := time.Duration(tick)*slotWidth - p.Elapsed(); wait > 0 {
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
	current := int64(p.Elapsed() / slotWidth)
	if current-tick >= slotCount {
		tick = p.nextTick(k, current-slotCount+1)
	}
	for ; tick <= current; tick = p.nextTick(k, tick+1) {
		p.serveSlot(int(tick % slotCount))
	}
	return tick
}

// nextTick returns the first tick at or after from that belongs to worker k.
func (p *Pacer) nextTick(k int, from int64) int64 {
	t := from
	for int(t%slotCount)%p.workers != k {
		t++
	}
	return t
}

func (p *Pacer) serveSlot(slot int) {
	sl := &p.slots[slot]
	sl.mu.Lock()
	for _, s := range sl.streams {
		s.SendDue(p.Elapsed(), p.observe)
	}
	sl.mu.Unlock()
}
