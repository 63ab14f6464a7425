package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/store"
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

// Clock tells the time; the server passes its own, so tests that move it
// are seen by every part.
type Clock interface{ Now() time.Time }

// Leg is the supervisor's side of a session: the RTP stream the mixer
// feeds, and its events (digits, end of playback, hang-up) in the shape
// the IVR legs use.
type Leg struct {
	Stream *media.Stream
	Events <-chan interp.Event
}

// Phones reaches supervisors' registered softphones.
type Phones interface {
	// Registered reports whether supervisor has a registered phone.
	Registered(supervisor string) bool
	// Ring calls supervisor's phone (caller ID: agent) until it answers,
	// fails or ctx ends; hangup ends the answered call.
	Ring(ctx context.Context, supervisor, agent string) (leg Leg, hangup func(), err error)
}

// Deps is what a Service is built from. Audit and Metrics may be nil;
// without IsAgent no agent exists; the rest are required.
type Deps struct {
	Supervisors []config.Supervisor
	IsAgent     func(id string) bool              // whether id is a configured agent
	Phones      Phones                            // the API's sessions ring through it
	Publish     func(call.Event)                  // MonitorStarted, MonitorEnded
	Audit       func(store.AuditEntry)            // nil: no audit log
	Prompt      func(name string) *playout.Prompt // in the default language; nil when missing
	Clock       Clock
	Log         *slog.Logger
	Metrics     prometheus.Registerer // hotline_monitor_sessions_total goes here
}

// Service knows which agent is talking on which bridge, and which monitor
// sessions run, so a supervisor's request finds the call and two
// supervisors never mix into one call.
type Service struct {
	deps        Deps
	supervisors atomic.Pointer[map[string]config.Supervisor] // swapped whole by SetSupervisors
	sessions    *prometheus.CounterVec

	mu       sync.Mutex
	talks    map[string]*liveTalk // call ID → the agent and bridge of a connected call
	byAgent  map[string]*liveTalk // agent → its connected call
	byTarget map[string]*session  // agent → the session monitoring (or about to)
	bySup    map[string]*session  // supervisor → their session
}

// liveTalk is a connected caller↔agent call; ended closes when the call
// leaves the talking stage (a supervisor still ringing stops).
type liveTalk struct {
	callID string
	agent  string
	bridge *media.BridgeHandle
	ended  chan struct{}
}

// New builds the registry and registers its session counter.
func New(d Deps) *Service {
	s := &Service{
		deps:     d,
		talks:    map[string]*liveTalk{},
		byAgent:  map[string]*liveTalk{},
		byTarget: map[string]*session{},
		bySup:    map[string]*session{},
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hotline_monitor_sessions_total",
			Help: "Supervisor monitor sessions started, by the mode they started in (listen, whisper, barge).",
		}, []string{"mode"}),
	}
	s.SetSupervisors(d.Supervisors)
	for _, m := range []mix.Mode{mix.Listen, mix.Whisper, mix.Barge} {
		s.sessions.WithLabelValues(m.String()) // every mode shows from the start, at 0
	}
	if d.Metrics != nil {
		d.Metrics.MustRegister(s.sessions)
	}
	return s
}

// SetSupervisors publishes who may monitor: a reload's list applies to the
// next REGISTER and the next monitor request. A session already running
// goes on to its end even if its supervisor was removed or narrowed.
func (s *Service) SetSupervisors(list []config.Supervisor) {
	m := make(map[string]config.Supervisor, len(list))
	for _, sup := range list {
		m[sup.ID] = sup
	}
	s.supervisors.Store(&m)
}

// Supervisor returns the configured supervisor id.
func (s *Service) Supervisor(id string) (config.Supervisor, bool) {
	sup, ok := (*s.supervisors.Load())[id]
	return sup, ok
}

// Track is the call path's on-bridge hook: callID's caller talks to agent
// over bridge until the returned function is called. Tracking the same
// call again (after an attended transfer hands it to a colleague) moves it
// to the new agent.
func (s *Service) Track(callID, agent string, bridge *media.BridgeHandle) (untrack func()) {
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	s.dropLocked(callID)
	t := &liveTalk{callID: callID, agent: agent, bridge: bridge, ended: make(chan struct{})}
	s.talks[callID], s.byAgent[agent] = t, t
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.dropLocked(callID)
		s.mu.Unlock()
	}
}

func (s *Service) dropLocked(callID string) {
	t, ok := s.talks[callID]
	if !ok {
		return
	}
	delete(s.talks, callID)
	if s.byAgent[t.agent] == t {
		delete(s.byAgent, t.agent)
	}
	close(t.ended)
}

// authorise checks that supervisor may monitor agent and that agent
// exists.
func (s *Service) authorise(supervisor, agent string) error {
	sup, ok := s.Supervisor(supervisor)
	if !ok {
		return fmt.Errorf("%w: %s", errNotSupervisor, supervisor)
	}
	if s.deps.IsAgent == nil || !s.deps.IsAgent(agent) {
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
func (s *Service) reserve(ms *session) (*liveTalk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byAgent[ms.agent]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: %s", errAgentIdle, ms.agent)
	case s.byTarget[ms.agent] != nil || t.bridge.Monitored() != nil:
		return nil, fmt.Errorf("%w: agent %s", errMonitorBusy, ms.agent)
	case s.bySup[ms.supervisor] != nil:
		return nil, fmt.Errorf("%w: %s", errSupervisorBusy, ms.supervisor)
	}
	s.byTarget[ms.agent], s.bySup[ms.supervisor] = ms, ms
	return t, nil
}

// release ends ms's claim.
func (s *Service) release(ms *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byTarget[ms.agent] == ms {
		delete(s.byTarget, ms.agent)
	}
	if s.bySup[ms.supervisor] == ms {
		delete(s.bySup, ms.supervisor)
	}
}

// ParseCode splits a dialled number into a monitor mode and the agent id
// that follows the code (*31 1001 → listen, 1001).
func ParseCode(codes config.Monitor, number string) (mix.Mode, string, bool) {
	for _, c := range []struct {
		code string
		mode mix.Mode
	}{{codes.Listen, mix.Listen}, {codes.Whisper, mix.Whisper}, {codes.Barge, mix.Barge}} {
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
