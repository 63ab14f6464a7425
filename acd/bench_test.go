package acd

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/call"
)

const (
	benchAgents  = 2000
	benchWaiting = 10000
	benchQueues  = 5
)

// benchSize is the centre a benchmark builds: how many agents and how many
// callers wait.
type benchSize struct{ agents, Waiting int }

var defaultBenchSize = benchSize{agents: benchAgents, Waiting: benchWaiting}

// benchConfig: five queues with different strategies; every agent serves two
// or three of them and holds all five skills at random levels.
func benchConfig(rng *rand.Rand, arrivalStrategy string, agents int) Config {
	strategies := []string{strategy.LongestIdle, strategy.SkillsBased, strategy.FewestCalls, strategy.RoundRobin, strategy.Random}
	var cfg Config
	for k := range benchQueues {
		q := DefaultQueue(fmt.Sprintf("q%d", k))
		q.Strategy = strategies[k]
		q.RequiredSkills = map[string]int{fmt.Sprintf("s%d", k): 1}
		cfg.Queues = append(cfg.Queues, q)
	}
	arrivals := DefaultQueue("arrivals")
	arrivals.Strategy = arrivalStrategy
	arrivals.RequiredSkills = map[string]int{"s0": 1}
	cfg.Queues = append(cfg.Queues, arrivals)
	for i := range agents {
		skills := map[string]int{}
		for k := range benchQueues {
			skills[fmt.Sprintf("s%d", k)] = 1 + rng.IntN(10)
		}
		queues := []string{fmt.Sprintf("q%d", i%benchQueues), fmt.Sprintf("q%d", (i+1)%benchQueues)}
		if i%2 == 0 {
			queues = append(queues, fmt.Sprintf("q%d", (i+2)%benchQueues))
		}
		if i < agents/5 {
			queues = []string{"arrivals"} // a pool kept idle for the arrival benchmark
		}
		cfg.Agents = append(cfg.Agents, AgentConfig{ID: fmt.Sprint(10000 + i), Skills: skills, Queues: queues})
	}
	return cfg
}

type benchState struct {
	h       *harness
	rng     *rand.Rand
	talking [][2]string // agent, call
	nextID  int
}

// newBenchState builds a busy centre: every queue agent talking, ten
// thousand callers waiting across the five queues, the arrivals pool idle.
func newBenchState(b *testing.B, arrivalStrategy string, size benchSize) *benchState {
	rng := rand.New(rand.NewPCG(11, 12))
	// Events are counted, not kept: a benchmark of millions of operations
	// would otherwise measure the recorder.
	events := 0
	s := &benchState{rng: rng}
	s.h = newHarness(b, benchConfig(rng, arrivalStrategy, size.agents), WithObserver(func(call.Event) { events++ }))
	for _, info := range s.h.acd.Agents() {
		s.h.clock.t = s.h.clock.t.Add(time.Millisecond)
		acts := s.h.ok(s.h.acd.AgentLogin(info.ID))
		if info.Queues[0] == "arrivals" {
			continue
		}
		acts = s.h.ok(s.h.acd.Enqueue(s.newCallID(), info.Queues[0], "", 0))
		o := offers(acts)
		s.h.ok(s.h.acd.OfferAnswered(o[0].CallID, o[0].AgentIDs[0]))
		s.talking = append(s.talking, [2]string{o[0].AgentIDs[0], o[0].CallID})
	}
	for range size.Waiting {
		s.h.clock.t = s.h.clock.t.Add(time.Millisecond)
		s.h.ok(s.h.acd.Enqueue(s.newCallID(), fmt.Sprintf("q%d", rng.IntN(benchQueues)), "", rng.IntN(3)))
	}
	return s
}

func (s *benchState) newCallID() string {
	s.nextID++
	return fmt.Sprintf("call-%d", s.nextID)
}

// BenchmarkRoute measures routing decisions in a centre with 10 000 waiting
// callers and 2 000 agents. ns/op is a whole cycle; the route-* metrics time
// the routing command alone.
//
//   - agent-ready: a talking agent hangs up; timed: AgentReady ending its
//     wrap-up, which chooses among the heads of its queues and offers the
//     call. Then it answers and a new caller arrives, keeping 10 000 waiting.
//   - call-arrives/<strategy>: timed: a caller joins a queue whose 400 agents
//     are idle and the strategy picks; then the caller hangs up.
func BenchmarkRoute(b *testing.B) {
	b.Run("agent-ready", func(b *testing.B) { benchAgentReady(b, defaultBenchSize) })
	for _, strategy := range strategy.Names {
		b.Run("call-arrives/"+strategy, func(b *testing.B) { benchCallArrives(b, strategy, defaultBenchSize) })
	}
}

func benchAgentReady(b *testing.B, size benchSize) {
	s := newBenchState(b, strategy.LongestIdle, size)
	a := s.h.acd
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.h.clock.t = s.h.clock.t.Add(time.Millisecond)
		slot := i % len(s.talking)
		agentID, callID := s.talking[slot][0], s.talking[slot][1]
		s.h.ok(a.TalkEnded(callID, "caller"))
		start := time.Now()
		acts, err := a.AgentReady(agentID)
		durations = append(durations, time.Since(start))
		o := offers(acts)
		if err != nil || len(o) != 1 || o[0].AgentIDs[0] != agentID {
			b.Fatalf("ready %s: %v %+v", agentID, err, acts)
		}
		s.h.ok(a.OfferAnswered(o[0].CallID, agentID))
		s.talking[slot][1] = o[0].CallID
		s.h.ok(a.Enqueue(s.newCallID(), fmt.Sprintf("q%d", s.rng.IntN(benchQueues)), "", s.rng.IntN(3)))
	}
	b.StopTimer()
	reportPercentiles(b, durations)
	if n := waitingTotal(a); n != size.Waiting {
		b.Fatalf("%d waiting, want %d", n, size.Waiting)
	}
}

func benchCallArrives(b *testing.B, strategy string, size benchSize) {
	s := newBenchState(b, strategy, size)
	a := s.h.acd
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.h.clock.t = s.h.clock.t.Add(time.Millisecond)
		id := s.newCallID()
		start := time.Now()
		acts, err := a.Enqueue(id, "arrivals", "", 0)
		durations = append(durations, time.Since(start))
		if err != nil || len(offers(acts)) != 1 {
			b.Fatalf("enqueue: %v %+v", err, acts)
		}
		s.h.ok(a.Abandon(id))
	}
	b.StopTimer()
	reportPercentiles(b, durations)
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	at := func(p float64) float64 { return float64(d[min(len(d)-1, int(p*float64(len(d))))].Nanoseconds()) }
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(d)), "route-mean-ns")
	b.ReportMetric(at(0.50), "route-p50-ns")
	b.ReportMetric(at(0.99), "route-p99-ns")
}

func waitingTotal(a *ACD) int {
	n := 0
	for _, q := range a.Queues() {
		n += q.Waiting
	}
	return n
}
