package app

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// queues is the ACD as the call path and the features see it: a
// standalone runtime today (queueing.Runtime); a clustered one plugs in
// here.
type queues = queueing.Queueing[*sip.AgentLeg]

// compiled is what Start builds the ACD and the call path's queues from.
type compiled struct {
	acd    acd.Config
	queues map[string]queueing.Settings
}

// newQueueing wraps the ACD in the standalone runtime, which rings agents
// through the SIP endpoint. The funcs read the server's fields when
// called: the endpoint is built after the runtime.
func (s *Server) newQueueing(a *acd.ACD) queues {
	return queueing.New[*sip.AgentLeg](a, s.compiled.queues, queueing.Deps[*sip.AgentLeg]{
		Dialer:          agentDialer{s},
		Phones:          agentPhones{s},
		Clock:           s.clock,
		Log:             s.log,
		Publish:         s.bus.Publish,
		OnInternalError: func() { s.internalErrors.inc("acd") },
	})
}

// agentDialer rings agents' phones for the ACD.
type agentDialer struct{ s *Server }

func (d agentDialer) DialAgent(ctx context.Context, agent, caller string, timeout time.Duration) (*sip.AgentLeg, error) {
	return d.s.sip.DialAgent(ctx, agent, caller, timeout)
}

func (agentDialer) Failure(err error) acd.OfferFailure {
	switch {
	case errors.Is(err, sip.ErrAgentBusy):
		return acd.FailBusy
	case errors.Is(err, sip.ErrAgentDeclined):
		return acd.FailDeclined
	case errors.Is(err, sip.ErrNoAnswer):
		return acd.FailTimeout
	}
	return acd.FailFailed
}

// agentPhones tells the ACD whether an agent's softphone is registered.
type agentPhones struct{ s *Server }

func (p agentPhones) Registered(agent string) bool { return len(p.s.sip.Bindings(agent)) > 0 }

// internalErrors counts invariant violations recovered at a runtime
// boundary, by component.
type internalErrors struct{ vec *prometheus.CounterVec }

// registerInternalErrors exports hotline_internal_errors_total, at 0 for
// every component from the start so that an alert on its rate has a series
// to watch.
func (s *Server) registerInternalErrors() {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_internal_errors_total",
		Help: "Invariant violations recovered at a runtime boundary; each ended at most the call it concerned.",
	}, []string{"component"})
	vec.WithLabelValues("acd")
	s.metrics.Registry().MustRegister(vec)
	s.internalErrors.vec = vec
}

func (c internalErrors) inc(component string) {
	if c.vec != nil {
		c.vec.WithLabelValues(component).Inc()
	}
}

// restoreAgents holds the states agents had before a restart until their
// phones register (app/agentrestore). In a cluster, agents' states live
// in the command stream, which outlives any node.
func (s *Server) restoreAgents() {
	if s.store != nil && s.acd != nil && s.cluster == nil {
		s.restored.Load(s.store)
	}
}
