package acd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hotline-oss/hotline/acd/roster"
	"github.com/hotline-oss/hotline/acd/sticky"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/acd/timerheap"
	"github.com/hotline-oss/hotline/call"
)

// Clock tells the time. The ACD reads it once per command, so everything a
// command does carries one timestamp.
type Clock interface{ Now() time.Time }

// Option configures New.
type Option func(*ACD) error

// WithObserver sets the function that receives every event, synchronously
// and in order, while the command that caused it runs. It must not call back
// into the ACD.
func WithObserver(observe func(call.Event)) Option {
	return func(a *ACD) error {
		a.observe = observe
		return nil
	}
}

// WithRandSource sets the source of the random strategy; tests seed it. By
// default the random strategy draws from math/rand/v2's global generator.
func WithRandSource(src rand.Source) Option {
	return func(a *ACD) error {
		if src == nil {
			return errors.New("nil random source")
		}
		a.rng = rand.New(src)
		return nil
	}
}

// globalSource draws from math/rand/v2's automatically seeded generator.
type globalSource struct{}

func (globalSource) Uint64() uint64 { return rand.Uint64() }

// ACD is the call distributor. It is not safe for concurrent use: the
// runtime serialises every call into it.
type ACD struct {
	clock   Clock
	observe func(call.Event)
	rng     *rand.Rand

	roster roster.Roster // queues, agents and the calls they hold

	timers timerheap.Heap[roster.TimerOf]
	now    time.Time  // the current command's time
	day    roster.Day // the day the daily counters belong to
	seq    uint64     // arrival order

	out         []Action
	dirtyQueues []*queue              // queues whose calls or agents changed since the last route
	picks       []*strategy.Candidate // scratch for strategy picks

	sticky sticky.Book // calls waiting for their preferred agent (sticky.go)

	retiring bool // a reload left draining queues or removed agents (see prune)
}

// The books the engine keeps are package roster's.
type (
	queue      = roster.Queue
	queuedCall = roster.Call
	agent      = roster.Agent
	timer      = roster.Timer
)

// New builds an ACD for a configuration that passes Validate. Agents start
// logged out.
func New(cfg Config, clock Clock, opts ...Option) (*ACD, error) {
	if clock == nil {
		return nil, fmt.Errorf("acd: nil clock: %w", ErrBadArgument)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &ACD{clock: clock}
	for _, opt := range opts {
		if err := opt(a); err != nil {
			return nil, fmt.Errorf("acd: option: %w", err)
		}
	}
	if a.rng == nil {
		a.rng = rand.New(globalSource{})
	}
	a.now = clock.Now()
	a.day = roster.DayOf(a.now)
	r, err := roster.New(cfg, a.now, a.rng)
	if err != nil {
		return nil, fmt.Errorf("acd: %w", err)
	}
	a.roster = r
	return a, nil
}

// begin starts a command: one clock reading for all of it, and the daily
// counters rolled over if the day changed.
func (a *ACD) begin() {
	a.now = a.clock.Now()
	a.out = nil
	if d := roster.DayOf(a.now); d != a.day {
		a.day = d
		a.resetDaily()
	}
}

// finish hands the command's actions to the caller.
func (a *ACD) finish() []Action {
	if a.retiring {
		a.prune()
	}
	out := a.out
	a.out = nil
	return out
}

func (a *ACD) do(act Action) { a.out = append(a.out, act) }

func (a *ACD) emit(e call.Event) {
	e.Time = a.now
	if a.observe != nil {
		a.observe(e)
	}
}

func (a *ACD) markDirty(q *queue) {
	if !q.Dirty {
		q.Dirty = true
		a.dirtyQueues = append(a.dirtyQueues, q)
	}
}

func (a *ACD) queueNamed(name string) (*queue, error) {
	q, ok := a.roster.QueueByName[name]
	if !ok {
		return nil, fmt.Errorf("acd: queue %q: %w", name, ErrUnknownQueue)
	}
	return q, nil
}

func (a *ACD) agentNamed(id string) (*agent, error) {
	ag, ok := a.roster.AgentByID[id]
	if !ok {
		return nil, fmt.Errorf("acd: agent %q: %w", id, ErrUnknownAgent)
	}
	return ag, nil
}

func (a *ACD) callNamed(id string) (*queuedCall, error) {
	c, ok := a.roster.Calls[id]
	if !ok {
		return nil, fmt.Errorf("acd: call %q: %w", id, ErrUnknownCall)
	}
	return c, nil
}
