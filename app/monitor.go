package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/media"
)

// Why a monitor request is refused. The API maps them to status codes,
// the softphone path to prompts.
var (
	errNotSupervisor  = errors.New("not a supervisor")
	errNotAllowed     = errors.New("supervisor may not monitor this agent")
	errUnknownAgent   = errors.New("unknown agent")
	errAgentIdle      = errors.New("agent has no call")
	errMonitorBusy    = errors.New("call already monitored")
	errSupervisorBusy = errors.New("supervisor already monitoring")
)

// monitorRegistry knows which agent is talking on which bridge, and which
// monitor sessions run, so a supervisor's request finds the call and two
// supervisors never mix into one call.
type monitorRegistry struct {
	s           *Server
	supervisors atomic.Pointer[map[string]config.Supervisor] // swapped whole by a reload (monitor_reload.go)
	sessions    *prometheus.CounterVec

	mu       sync.Mutex
	talks    map[string]*liveTalk       // call ID → the agent and bridge of a connected call
	byAgent  map[string]*liveTalk       // agent → its connected call
	byTarget map[string]*monitorSession // agent → the session monitoring (or about to)
	bySup    map[string]*monitorSession // supervisor → their session
}

// liveTalk is a connected caller↔agent call; ended closes when the call
// leaves the talking stage (a supervisor still ringing stops).
type liveTalk struct {
	callID string
	agent  string
	bridge *media.BridgeHandle
	ended  chan struct{}
}

func newMonitorRegistry(s *Server) *monitorRegistry {
	r := &monitorRegistry{
		s:        s,
		talks:    map[string]*liveTalk{},
		byAgent:  map[string]*liveTalk{},
		byTarget: map[string]*monitorSession{},
		bySup:    map[string]*monitorSession{},
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_monitor_sessions_total",
			Help: "Supervisor monitor sessions started, by the mode they started in (listen, whisper, barge).",
		}, []string{"mode"}),
	}
	r.setSupervisors(s.cfg.Supervisors)
	for _, m := range []media.MonitorMode{media.MonitorListen, media.MonitorWhisper, media.MonitorBarge} {
		r.sessions.WithLabelValues(m.String()) // every mode shows from the start, at 0
	}
	s.metrics.Registry().MustRegister(r.sessions)
	return r
}

// sipPassword is the registrar's password look-up: agents, then
// supervisors, who register and authenticate the same way.
func (s *Server) sipPassword(user string) (string, bool) {
	if p, ok := s.agentPassword(user); ok {
		return p, true
	}
	if s.monitors != nil {
		if sup, ok := s.monitors.supervisor(user); ok {
			return sup.SIPPassword(), true
		}
	}
	return "", false
}

// track records that callID's caller talks to agent over bridge, until
// the returned function is called. Tracking the same call again (after an
// attended transfer hands it to a colleague) moves it to the new agent.
func (r *monitorRegistry) track(callID, agent string, bridge *media.BridgeHandle) (untrack func()) {
	if r == nil {
		return func() {}
	}
	r.mu.Lock()
	r.dropLocked(callID)
	t := &liveTalk{callID: callID, agent: agent, bridge: bridge, ended: make(chan struct{})}
	r.talks[callID], r.byAgent[agent] = t, t
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.dropLocked(callID)
		r.mu.Unlock()
	}
}

func (r *monitorRegistry) dropLocked(callID string) {
	t, ok := r.talks[callID]
	if !ok {
		return
	}
	delete(r.talks, callID)
	if r.byAgent[t.agent] == t {
		delete(r.byAgent, t.agent)
	}
	close(t.ended)
}

// talkOf returns agent's connected call.
func (r *monitorRegistry) talkOf(agent string) (*liveTalk, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.byAgent[agent]
	return t, ok
}

// authorise checks that supervisor may monitor agent and that agent
// exists.
func (r *monitorRegistry) authorise(supervisor, agent string) error {
	sup, ok := r.supervisor(supervisor)
	if !ok {
		return fmt.Errorf("%w: %s", errNotSupervisor, supervisor)
	}
	if r.s.acd == nil || !r.s.acd.isAgent(agent) {
		return fmt.Errorf("%w: %s", errUnknownAgent, agent)
	}
	if !sup.MayMonitor(agent) {
		return fmt.Errorf("%w: %s → %s", errNotAllowed, supervisor, agent)
	}
	return nil
}

// reserve claims agent's call for a new session of supervisor: the
// agent must be talking, nobody else may be monitoring it, and the
// supervisor may run one session at a time.
func (r *monitorRegistry) reserve(ms *monitorSession) (*liveTalk, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.byAgent[ms.agent]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: %s", errAgentIdle, ms.agent)
	case r.byTarget[ms.agent] != nil || t.bridge.Monitored() != nil:
		return nil, fmt.Errorf("%w: agent %s", errMonitorBusy, ms.agent)
	case r.bySup[ms.supervisor] != nil:
		return nil, fmt.Errorf("%w: %s", errSupervisorBusy, ms.supervisor)
	}
	r.byTarget[ms.agent], r.bySup[ms.supervisor] = ms, ms
	return t, nil
}

// release ends ms's claim.
func (r *monitorRegistry) release(ms *monitorSession) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byTarget[ms.agent] == ms {
		delete(r.byTarget, ms.agent)
	}
	if r.bySup[ms.supervisor] == ms {
		delete(r.bySup, ms.supervisor)
	}
}

// monitorCode splits a dialled number into a monitor mode and the agent
// id that follows the code (*31 1001 → listen, 1001).
func (s *Server) monitorCode(number string) (media.MonitorMode, string, bool) {
	m := s.cfg.Monitor
	for _, c := range []struct {
		code string
		mode media.MonitorMode
	}{{m.Listen, media.MonitorListen}, {m.Whisper, media.MonitorWhisper}, {m.Barge, media.MonitorBarge}} {
		if agent, ok := strings.CutPrefix(number, c.code); ok && c.code != "" && isExtension(agent) {
			return c.mode, agent, true
		}
	}
	return 0, "", false
}

// isExtension: 2 to 8 digits, the shape of an agent id.
func isExtension(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
