package admission

import (
	"sync/atomic"

	"github.com/hotline-oss/hotline/sip/guard"
)

// Limiter is asked about every new call once a channel is free: a
// non-empty answer (a guard.Blocked* reason) refuses it. *guard.Overload
// is one.
type Limiter interface {
	Admit() string
}

// Slots counts the channels taken: one per call from its INVITE accepted
// to its cleanup.
type Slots struct {
	max      int64
	limiter  Limiter
	taken    atomic.Int64
	draining atomic.Bool
}

// NewSlots allows max calls at once, each also admitted by limiter (nil:
// no other limit).
func NewSlots(max int, limiter Limiter) *Slots {
	return &Slots{max: int64(max), limiter: limiter}
}

// Reserve takes a channel for a new call, or says why it cannot (a
// guard.Blocked* reason).
func (s *Slots) Reserve() string {
	if s.draining.Load() {
		return guard.BlockedDraining
	}
	if s.taken.Add(1) > s.max {
		s.taken.Add(-1)
		return guard.BlockedChannelLimit
	}
	if s.limiter == nil {
		return ""
	}
	if reason := s.limiter.Admit(); reason != "" {
		s.taken.Add(-1)
		return reason
	}
	return ""
}

// Release gives back a channel Reserve took.
func (s *Slots) Release() { s.taken.Add(-1) }

// Taken counts the channels taken now.
func (s *Slots) Taken() int { return int(s.taken.Load()) }

// Drain refuses every Reserve from now on; the calls up keep their
// channels.
func (s *Slots) Drain() { s.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Slots) Draining() bool { return s.draining.Load() }
