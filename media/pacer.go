package media

import (
	"time"

	"github.com/hotline-oss/hotline/media/pacer"
	"github.com/hotline-oss/hotline/media/rtpstats"
)

// PacerOption configures a Pacer. Options cannot fail: out-of-range values
// are clamped, so NewPacer needs no error result.
type PacerOption func(*Pacer)

// WithWorkers sets the number of pacer goroutines (pacer.WithWorkers):
// n < 1 means GOMAXPROCS, and n is clamped to one per slot.
func WithWorkers(n int) PacerOption {
	return func(p *Pacer) { p.opts = append(p.opts, pacer.WithWorkers(n)) }
}

// WithLatenessObserver receives, for every frame sent, how late it went
// out against that stream's own schedule, in seconds
// (pacer.WithLatenessObserver says what it may do).
func WithLatenessObserver(observe func(seconds float64)) PacerOption {
	return func(p *Pacer) { p.opts = append(p.opts, pacer.WithLatenessObserver(observe)) }
}

// Pacer sends every started stream's frames and RTCP reports on time: the
// timing wheel of media/pacer, plus the observers of what the streams on
// it send and receive.
type Pacer struct {
	wheel *pacer.Pacer
	epoch time.Time      // the wheel's, for RTCP's NTP times and recordings
	opts  []pacer.Option // gathered by the options for NewPacer
	// RTCP and stream-quality observers (rtcp.go).
	rtcpObserve func(RTCPDirection)
	streamEnd   func(rtpstats.Quality)
}

// NewPacer returns a stopped pacer; call Start.
func NewPacer(opts ...PacerOption) *Pacer {
	p := &Pacer{}
	for _, opt := range opts {
		opt(p)
	}
	p.wheel = pacer.New(p.opts...)
	p.epoch = p.wheel.Epoch()
	return p
}

// Start launches the workers. It is a no-op when already started or after
// Stop.
func (p *Pacer) Start() { p.wheel.Start() }

// Stop halts the workers and waits for them. Registered streams stay
// registered but send nothing more.
func (p *Pacer) Stop() { p.wheel.Stop() }

// Streams returns the number of registered streams.
func (p *Pacer) Streams() int { return p.wheel.Streams() }

// Workers returns the number of pacer goroutines.
func (p *Pacer) Workers() int { return p.wheel.Workers() }

// elapsed is the pacer's monotonic clock.
func (p *Pacer) elapsed() time.Duration { return p.wheel.Elapsed() }

// pacedStream is a Stream as the wheel sees it: its exported methods stay
// off Stream's own API.
type pacedStream Stream

// SetSchedule sets when the first frame is due.
func (ps *pacedStream) SetSchedule(due time.Duration) { (*Stream)(ps).setSchedule(due) }

// SendDue sends the frames and the RTCP report due at now.
func (ps *pacedStream) SendDue(now time.Duration, observe func(seconds float64)) {
	(*Stream)(ps).sendDue(now, observe)
}
