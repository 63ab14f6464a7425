package app

import (
	"context"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/queueing"
)

// restoreWindow is how long a state from before a restart waits for the
// agent's phone: the registrar's longest registration (one hour), within
// which a phone registered before the restart registers again. A phone
// that registers later starts logged out, like any other.
const restoreWindow = time.Hour

// pendingRestore holds agents' states from before a restart until their
// phones register again. Restoring them at once would make them available
// with no phone to ring: every call offered to them would fail and the
// ACD would auto-pause them while callers wait.
type pendingRestore struct {
	mu     sync.Mutex
	states map[string]restoredState // agent → state before the restart
}

type restoredState struct {
	state, reason string
	until         time.Time
}

func (p *pendingRestore) put(agent string, st restoredState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.states == nil {
		p.states = make(map[string]restoredState)
	}
	p.states[agent] = st
}

// take removes and returns agent's pending state, if it is still due.
func (p *pendingRestore) take(agent string, now time.Time) (restoredState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.states[agent]
	delete(p.states, agent)
	return st, ok && now.Before(st.until)
}

// restoreAgents reads the states agents had before a restart (logged in,
// paused with its reason). Each comes back when the agent's phone
// registers again (onRegistration); until then the agent is logged out
// and nothing is offered to it.
func (s *Server) restoreAgents() {
	// In a cluster, agents' states live in the command stream, which
	// outlives any node.
	if s.store == nil || s.acd == nil || s.cluster != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	statuses, err := s.store.LoadAgentStatus(ctx)
	if err != nil {
		s.log.Warn("agent states not restored", "err", err)
		return
	}
	until := s.clock.Now().Add(restoreWindow)
	for _, st := range statuses {
		if st.State == "logged_out" || st.State == "" {
			continue
		}
		s.restored.put(st.Agent, restoredState{state: st.State, reason: st.Reason, until: until})
		s.log.Info("agent state held until the phone registers", "agent", st.Agent, "state", st.State)
	}
}

// onRegistration follows agents' phones: the last registration gone logs
// the agent out; the first one after a restart brings back the agent's
// state from before it.
func (s *Server) onRegistration(agent string, registered bool) {
	s.acd.Registration(agent, registered)
	if !registered {
		return
	}
	st, ok := s.restored.take(agent, s.clock.Now())
	if !ok {
		return
	}
	// A paused agent goes straight to the break: no caller is offered to
	// an agent who was on one before the restart, not even for a moment.
	err := s.acd.Do(queueing.AgentLogin{Agent: agent, Paused: st.state == "paused", Reason: st.reason})
	if err != nil {
		s.log.Warn("agent state not restored", "agent", agent, "err", err)
		return
	}
	s.log.Info("agent state restored", "agent", agent, "state", st.state)
}
