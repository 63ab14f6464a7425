package agentrestore

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/store"
)

// restoreWindow is how long a state from before a restart waits for the
// agent's phone: the registrar's longest registration (one hour), within
// which a phone registered before the restart registers again. A phone
// that registers later starts logged out, like any other.
const restoreWindow = time.Hour

// Floor is the ACD as the restorer uses it: phones' registrations and the
// log-in command.
type Floor interface {
	Registration(agent string, registered bool)
	Do(cmd queueing.Command) error
}

// Pending holds agents' states from before a restart until their phones
// register again. Restoring them at once would make them available with
// no phone to ring: every call offered to them would fail and the ACD
// would auto-pause them while callers wait.
type Pending struct {
	Floor Floor
	Now   func() time.Time
	Log   *slog.Logger

	mu     sync.Mutex
	states map[string]restoredState // agent → state before the restart
}

type restoredState struct {
	state, reason string
	until         time.Time
}

func (p *Pending) put(agent string, st restoredState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.states == nil {
		p.states = make(map[string]restoredState)
	}
	p.states[agent] = st
}

// take removes and returns agent's pending state, if it is still due.
func (p *Pending) take(agent string, now time.Time) (restoredState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.states[agent]
	delete(p.states, agent)
	return st, ok && now.Before(st.until)
}

// Load reads the states agents had before a restart (logged in, paused
// with its reason). Each comes back when the agent's phone registers
// again (OnRegistration); until then the agent is logged out and nothing
// is offered to it.
func (p *Pending) Load(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	statuses, err := st.LoadAgentStatus(ctx)
	if err != nil {
		p.Log.Warn("agent states not restored", "err", err)
		return
	}
	until := p.Now().Add(restoreWindow)
	for _, st := range statuses {
		if st.State == "logged_out" || st.State == "" {
			continue
		}
		p.put(st.Agent, restoredState{state: st.State, reason: st.Reason, until: until})
		p.Log.Info("agent state held until the phone registers", "agent", st.Agent, "state", st.State)
	}
}

// OnRegistration follows agents' phones: the last registration gone logs
// the agent out; the first one after a restart brings back the agent's
// state from before it.
func (p *Pending) OnRegistration(agent string, registered bool) {
	p.Floor.Registration(agent, registered)
	if !registered {
		return
	}
	st, ok := p.take(agent, p.Now())
	if !ok {
		return
	}
	// A paused agent goes straight to the break: no caller is offered to
	// an agent who was on one before the restart, not even for a moment.
	err := p.Floor.Do(queueing.AgentLogin{Agent: agent, Paused: st.state == "paused", Reason: st.reason})
	if err != nil {
		p.Log.Warn("agent state not restored", "agent", agent, "err", err)
		return
	}
	p.Log.Info("agent state restored", "agent", agent, "state", st.state)
}
