package webtest

import (
	"fmt"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/web/console"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// Floor is a floor of agents and queues for the console's tests and
// benchmark: each snapshot moves a share of the agents to another state,
// as a busy floor does.
type Floor struct {
	mu      sync.Mutex
	agents  []console.ConsoleAgent
	queues  []map[string]any
	waiting []console.WaitingView
	moved   []string
	churn   int // agents changing state per snapshot
	tick    int
	base    time.Time
}

var floorStates = []string{"available", "talking", "wrapup", "paused", "ringing", "hold"}

// NewFloor has agents agents and queues queues; churn agents change
// State at each snapshot.
func NewFloor(agents, queues, churn int) *Floor {
	f := &Floor{churn: churn, base: time.Now().Add(-time.Hour)}
	for i := range queues {
		f.queues = append(f.queues, map[string]any{
			"queue": fmt.Sprintf("q%03d", i), "display_name": fmt.Sprintf("Queue %d", i), "waiting": i % 7,
			"oldest_wait_seconds": float64(i % 120), "service_level": 0.7 + float64(i%30)/100, "service_level_target": 0.8,
			"abandon_rate": float64(i%12) / 100, "asa_seconds": float64(10 + i%40), "answered": 100 + i,
			"agents": map[string]int{"available": i % 5, "talking": i % 9, "wrapup": i % 3, "paused": i % 4},
		})
	}
	for i := range agents {
		id := fmt.Sprint(10000 + i)
		adh := 0.8 + float64(i%20)/100
		a := console.ConsoleAgent{AgentView: rest.AgentView{ID: id, Name: "Agent " + id, WorkNumber: fmt.Sprint(5000 + i),
			State: floorStates[i%len(floorStates)], Since: f.base.Add(time.Duration(i) * time.Second),
			Queues: []string{"q000"}, CallsToday: i % 40, Registered: true}, Adherence: &adh}
		if a.State == "talking" || a.State == "hold" {
			a.CallID, a.Queue = "call-"+id, fmt.Sprintf("q%03d", i%max(queues, 1))
		}
		if a.State == "paused" {
			a.Reason = "lunch"
		}
		f.agents = append(f.agents, a)
	}
	if queues > 1 {
		f.waiting = []console.WaitingView{{CallID: "w-1", Queue: "q000", Caller: "*******5678", Position: 1, WaitSeconds: 42}}
	}
	return f
}

func (f *Floor) ConsoleSnapshot() console.ConsoleSnapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tick++
	now := time.Now()
	for k := range f.churn {
		i := (f.tick*f.churn + k*7919) % len(f.agents)
		a := &f.agents[i]
		a.State, a.Since = floorStates[(f.tick+k)%len(floorStates)], now
		a.CallID = ""
		if a.State == "talking" {
			a.CallID, a.Queue = fmt.Sprintf("call-%d-%d", f.tick, k), "q000"
		}
	}
	queues := make([]map[string]any, len(f.queues))
	copy(queues, f.queues)
	return console.ConsoleSnapshot{Agents: append([]console.ConsoleAgent(nil), f.agents...), Queues: queues, Waiting: append([]console.WaitingView(nil), f.waiting...)}
}

func (f *Floor) MoveCall(id, queue string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, w := range f.waiting {
		if w.CallID != id {
			continue
		}
		if w.Queue == queue {
			return fmt.Errorf("%w: already in %s", webkit.ErrInvalid, queue)
		}
		f.waiting = append(f.waiting[:i], f.waiting[i+1:]...)
		f.moved = append(f.moved, id+">"+queue)
		return nil
	}
	return fmt.Errorf("%w: no caller %s", webkit.ErrNotFound, id)
}

// The agent commands act on the floor.
func (f *Floor) Agents() []rest.AgentView {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]rest.AgentView, len(f.agents))
	for i, a := range f.agents {
		out[i] = a.AgentView
	}
	return out
}
func (f *Floor) Queues() []rest.QueueView { return nil }
func (f *Floor) set(agent, state, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.agents {
		if f.agents[i].ID == agent {
			f.agents[i].State, f.agents[i].Reason, f.agents[i].Since = state, reason, time.Now()
			return nil
		}
	}
	return fmt.Errorf("%w: agent %s", webkit.ErrNotFound, agent)
}
func (f *Floor) Login(a string) error                   { return f.set(a, "available", "") }
func (f *Floor) Logout(a string) error                  { return f.set(a, "logged_out", "") }
func (f *Floor) Ready(a string) error                   { return f.set(a, "available", "") }
func (f *Floor) Pause(a, r string) error                { return f.set(a, "paused", r) }
func (f *Floor) Disposition(string, string, bool) error { return nil }

func (f *Floor) State(agent string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.agents {
		if a.ID == agent {
			return a.State + "/" + a.Reason
		}
	}
	return ""
}
