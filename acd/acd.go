package acd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/acd/timerheap"
	"github.com/hotline-oss/hotline/acd/view"
	"github.com/hotline-oss/hotline/acd/waitlist"
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

	queues      []*queue
	queueByName map[string]*queue
	agents      []*agent
	agentByID   map[string]*agent
	calls       map[string]*queuedCall // waiting or connected
	lastCallOf  map[string]*agent      // call id → the agent whose last call it was

	timers timerheap.Heap[timerOf]
	now    time.Time // the current command's time
	day    civilDay  // the day the daily counters belong to
	seq    uint64    // arrival and timer order

	out   []Action
	dirty []*queue              // queues whose calls or agents changed since the last route
	picks []*strategy.Candidate // scratch for strategy picks

	sticky stickyBook // calls waiting for their preferred agent (sticky.go)

	retiring bool // a reload left draining queues or removed agents (see prune)
}

// queue is a configured queue and its live state.
type queue struct {
	cfg      QueueConfig
	strategy strategy.Strategy
	waiting  waitList // every waiting call, including those ringing an agent
	ready    waitList // waiting calls not being offered right now
	members  []*agent // eligible members, in config order
	count    [agentstate.NumStates]int
	handle   view.HandleTimes
	dirty    bool
	draining bool // removed by a reload; serves the callers it has, takes no new ones
}

func (q *queue) loggedIn() int { return len(q.members) - q.count[LoggedOut] }

// staffed counts the members taking calls now or soon: logged in, not paused.
func (q *queue) staffed() int { return q.loggedIn() - q.count[Paused] }

// queuedCall is a call from Enqueue until it is answered and its talk ends,
// or it leaves the queue.
type queuedCall struct {
	id       string
	caller   string
	priority int
	queue    *queue
	joined   time.Time

	waitNode  waitNode
	readyNode waitNode
	ready     bool     // in queue.ready
	legs      []*agent // agents ringing for it
	tried     []*agent // agents that failed it since the list last started over
	overdue   bool     // MaxWait passed while it was ringing; overflow if the offer fails

	ringTimer, maxWaitTimer, announceTimer timer

	cb *callback // set once the caller asked to be called back (callback.go)

	agent      *agent // connected agent, once answered
	answeredAt time.Time
	holdStart  time.Time
	held       time.Duration
}

func (c *queuedCall) connected() bool { return c.agent != nil }

// The waiting and ready lists of a queue (package waitlist keeps the order).
type (
	waitList = waitlist.List[*queuedCall]
	waitNode = waitlist.Node[*queuedCall]
)

// servedBefore is the service order within a queue, and across queues when
// an agent serves several: priority, then the earlier arrival.
func servedBefore(a, b *queuedCall) bool { return a.waitNode.Key.Before(b.waitNode.Key) }

// New builds an ACD for a configuration that passes Validate. Agents start
// logged out.
func New(cfg Config, clock Clock, opts ...Option) (*ACD, error) {
	if clock == nil {
		return nil, fmt.Errorf("acd: nil clock: %w", ErrBadArgument)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &ACD{
		clock:       clock,
		queueByName: make(map[string]*queue, len(cfg.Queues)),
		agentByID:   make(map[string]*agent, len(cfg.Agents)),
		calls:       make(map[string]*queuedCall),
		lastCallOf:  make(map[string]*agent),
	}
	for _, opt := range opts {
		if err := opt(a); err != nil {
			return nil, fmt.Errorf("acd: option: %w", err)
		}
	}
	if a.rng == nil {
		a.rng = rand.New(globalSource{})
	}
	a.now = clock.Now()
	a.day = dayOf(a.now)
	for _, qc := range cfg.Queues {
		q := &queue{cfg: qc.WithDefaults()}
		a.queues = append(a.queues, q)
		a.queueByName[qc.Name] = q
	}
	for _, ac := range cfg.Agents {
		a.addAgent(ac)
	}
	for _, q := range a.queues {
		s, err := strategy.New(q.cfg.Strategy, len(q.members), a.rng)
		if err != nil {
			return nil, fmt.Errorf("acd: queue %s: %w", q.cfg.Name, err)
		}
		q.strategy = s
	}
	return a, nil
}

func (a *ACD) addAgent(ac AgentConfig) {
	ag := &agent{cfg: ac, state: LoggedOut, since: a.now}
	ag.wrapTimer = agentTimer(timerWrapup, ag)
	ag.backoffTimer = agentTimer(timerBackoff, ag)
	for _, name := range ac.Queues {
		q := a.queueByName[name]
		score, ok := skillScore(ac.Skills, q.cfg.RequiredSkills)
		if !ok {
			continue
		}
		ag.member = append(ag.member, membership{q: q, cand: strategy.Candidate{
			AgentID: ac.ID, Member: len(q.members), SkillScore: score,
		}})
		q.members = append(q.members, ag)
		q.count[LoggedOut]++
	}
	for i := range ag.member {
		ag.member[i].cand.Owner = ag
	}
	a.agents = append(a.agents, ag)
	a.agentByID[ac.ID] = ag
}

// skillScore sums the agent's levels in the required skills; ok is false when
// one is missing or below its level.
func skillScore(have, need map[string]int) (score int, ok bool) {
	for skill, least := range need {
		level := have[skill]
		if level < least {
			return 0, false
		}
		score += level
	}
	return score, true
}

// begin starts a command: one clock reading for all of it, and the daily
// counters rolled over if the day changed.
func (a *ACD) begin() {
	a.now = a.clock.Now()
	a.out = nil
	if d := dayOf(a.now); d != a.day {
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
	if !q.dirty {
		q.dirty = true
		a.dirty = append(a.dirty, q)
	}
}

func (a *ACD) queueNamed(name string) (*queue, error) {
	q, ok := a.queueByName[name]
	if !ok {
		return nil, fmt.Errorf("acd: queue %q: %w", name, ErrUnknownQueue)
	}
	return q, nil
}

func (a *ACD) agentNamed(id string) (*agent, error) {
	ag, ok := a.agentByID[id]
	if !ok {
		return nil, fmt.Errorf("acd: agent %q: %w", id, ErrUnknownAgent)
	}
	return ag, nil
}

func (a *ACD) callNamed(id string) (*queuedCall, error) {
	c, ok := a.calls[id]
	if !ok {
		return nil, fmt.Errorf("acd: call %q: %w", id, ErrUnknownCall)
	}
	return c, nil
}
