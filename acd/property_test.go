package acd

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/strategy"
)

// TestScriptedTimelines replays many random days of a small hotline: three
// agents, two queues with random strategies, fifty callers arriving at random
// times with random priorities, random patience, random answers, declines
// and time-outs, holds, transfers, pauses and logouts. A seeded generator
// drives each run, and the invariants are checked after every single step.
func TestScriptedTimelines(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 40
	}
	for seed := range uint64(seeds) {
		s := newSim(t, seed)
		s.run()
		if t.Failed() {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

// callStatus is what the simulated runtime believes of a call.
type callStatus int

const (
	statusWaiting   callStatus = iota + 1 // queued; ringing when legs is not empty
	statusConnected                       // answered, talking or on hold
	statusDone                            // the current stint ended
)

type simCall struct {
	ID       string
	Queue    string
	Priority int
	order    int // arrival order of the current stint
	stint    int
	status   callStatus
	Legs     []string
	offerGen int // which Offer the legs belong to
	Agent    string
	Held     bool
	outcomes []string // one per stint
}

func (c *simCall) ready() bool { return c.status == statusWaiting && len(c.Legs) == 0 }

type simEvent struct {
	at  time.Time
	seq int
	fn  func()
}

type sim struct {
	t       *testing.T
	seed    uint64
	rng     *rand.Rand
	h       *harness
	end     time.Time // arrivals and agent whims stop here
	calls   map[string]*simCall
	byOrder []*simCall
	pending []simEvent
	later   []func() // follow-ups of the batch of actions being applied
	seq     int

	members    map[string][]string // queue → eligible agents
	agentState map[string]string   // from AgentStateChanged
	seen       int                 // events checked so far
	lastTime   time.Time
}

var simQueues = []string{"main", "vip"}

func simConfig(rng *rand.Rand) Config {
	mk := func(name string) QueueConfig {
		q := DefaultQueue(name)
		q.Strategy = strategy.Names[rng.IntN(len(strategy.Names))]
		q.WrapUp = []time.Duration{0, 20 * time.Second}[rng.IntN(2)]
		q.AutoPauseAfter, q.BusyBackoff = 2, 5*time.Second
		q.MaxWait = 5 * time.Minute
		return q
	}
	main, vip := mk("main"), mk("vip")
	main.OverflowTarget = "ivr:sorry"
	main.RequiredSkills = map[string]int{"gas": 3}
	vip.OverflowTarget = "queue:main"
	vip.RequiredSkills = map[string]int{"power": 5}
	vip.MaxWaiting = 5
	vip.LeaveWhenEmpty = rng.IntN(2) == 0
	if rng.IntN(2) == 0 {
		vip.JoinEmpty = JoinEmptyReject
	}
	return Config{
		Queues: []QueueConfig{main, vip},
		Agents: []AgentConfig{
			{ID: "1001", Skills: map[string]int{"gas": 5, "power": 7}, Queues: []string{"main", "vip"}},
			{ID: "1002", Skills: map[string]int{"gas": 3}, Queues: []string{"main", "vip"}},
			{ID: "1003", Skills: map[string]int{"gas": 8, "power": 9}, Queues: []string{"main", "vip"}},
		},
	}
}

func newSim(t *testing.T, seed uint64) *sim {
	rng := rand.New(rand.NewPCG(seed, 99))
	s := &sim{
		t: t, seed: seed, rng: rng,
		calls:      map[string]*simCall{},
		members:    map[string][]string{},
		agentState: map[string]string{},
	}
	s.h = newHarness(t, simConfig(rng), WithRandSource(rand.NewPCG(seed, 7)))
	s.end = epoch.Add(20 * time.Minute)
	for _, info := range s.h.acd.Agents() {
		s.agentState[info.ID] = LoggedOut.String()
		for _, q := range info.Queues {
			s.members[q] = append(s.members[q], info.ID)
		}
		id := info.ID
		s.at(s.rand(0, 2*time.Minute), func() { s.agentWhim(id) })
	}
	for i := range 50 {
		id := fmt.Sprintf("c%02d", i)
		queue := simQueues[s.rng.IntN(2)]
		priority := s.rng.IntN(3)
		s.at(s.rand(0, 20*time.Minute), func() { s.arrive(id, queue, priority) })
	}
	return s
}

func (s *sim) fail(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("seed %d at %v: %s", s.seed, s.h.clock.t.Sub(epoch), fmt.Sprintf(format, args...))
}

func (s *sim) rand(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1))
}

// at schedules fn after d from now.
func (s *sim) at(d time.Duration, fn func()) {
	s.seq++
	s.pending = append(s.pending, simEvent{at: s.h.clock.t.Add(d), seq: s.seq, fn: fn})
}

func (s *sim) next() (int, bool) {
	best := -1
	for i, e := range s.pending {
		if best < 0 || e.at.Before(s.pending[best].at) || e.at.Equal(s.pending[best].at) && e.seq < s.pending[best].seq {
			best = i
		}
	}
	return best, best >= 0
}

func (s *sim) run() {
	for step := 0; ; step++ {
		if step > 100000 {
			s.fail("no quiescence after %d steps", step)
		}
		i, hasEvent := s.next()
		deadline, hasDeadline := s.h.acd.NextDeadline()
		if !hasEvent && !hasDeadline {
			break
		}
		tickFirst := hasDeadline && (!hasEvent || deadline.Before(s.pending[i].at) ||
			deadline.Equal(s.pending[i].at) && s.rng.IntN(2) == 0)
		if tickFirst {
			s.h.clock.t = deadline
			s.apply(s.h.acd.Tick())
		} else {
			e := s.pending[i]
			s.pending = slices.Delete(s.pending, i, i+1)
			s.h.clock.t = e.at
			e.fn()
		}
		s.checkEvents()
		s.checkAgents()
		s.checkQueues()
		if s.t.Failed() {
			return
		}
	}
	s.checkEnd()
}

// must applies the actions of a command that has to succeed.
func (s *sim) must(what string, acts []Action, err error) {
	s.t.Helper()
	if err != nil {
		s.fail("%s: %v", what, err)
	}
	s.apply(acts)
}

func (s *sim) arrive(id, queue string, priority int) {
	c := s.calls[id]
	if c == nil {
		c = &simCall{ID: id, Priority: priority}
		s.calls[id] = c
	}
	c.Queue, c.status, c.stint = queue, statusWaiting, c.stint+1
	c.order = len(s.byOrder)
	s.byOrder = append(s.byOrder, c)
	c.outcomes = append(c.outcomes, "")
	acts, err := s.h.acd.Enqueue(id, queue, "555"+id, priority)
	s.must("enqueue "+id, acts, err)
	if s.rng.IntN(10) < 7 && c.status == statusWaiting {
		stint := c.stint
		s.at(s.rand(10*time.Second, 8*time.Minute), func() { s.giveUp(c, stint) })
	}
}

func (s *sim) giveUp(c *simCall, stint int) {
	if c.stint != stint || c.status != statusWaiting {
		return
	}
	acts, err := s.h.acd.Abandon(c.ID)
	s.closeStint(c, "abandoned")
	s.must("abandon "+c.ID, acts, err)
}

// closeStint closes the current stint of c with outcome, exactly once.
func (s *sim) closeStint(c *simCall, outcome string) {
	if got := c.outcomes[c.stint-1]; got != "" {
		s.fail("call %s stint %d ended twice: %s then %s", c.ID, c.stint, got, outcome)
	}
	c.outcomes[c.stint-1] = outcome
	if outcome != "answered" {
		c.status = statusDone
	}
}
