package app

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/web"
)

// agentControl is the REST API's view of the ACD.
type agentControl struct{ s *Server }

func (c agentControl) Agents() []web.AgentView {
	agents := c.s.acd.agents()
	out := make([]web.AgentView, 0, len(agents))
	for _, a := range agents {
		a.Queues = slices.DeleteFunc(slices.Clone(a.Queues), isPersonalQueue)
		out = append(out, web.AgentView{
			ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, State: a.State.String(), Since: a.Since,
			Reason: a.Reason, CallID: a.CallID, Queue: a.Queue, Queues: a.Queues, CallsToday: a.CallsToday,
			Registered: len(c.s.sip.Bindings(a.ID)) > 0,
		})
	}
	return out
}

func (c agentControl) Queues() []web.QueueView {
	var out []web.QueueView
	for _, q := range c.s.acd.snapshot() {
		out = append(out, web.QueueView{
			Name: q.Name, Waiting: q.Waiting, OldestWaitSeconds: q.OldestWaitSeconds,
			ExpectedWaitSeconds: q.ExpectedWaitSeconds, Agents: q.Agents,
		})
	}
	return out
}

func (c agentControl) run(what, agent string, cmd func(a *acd.ACD) ([]acd.Action, error)) error {
	err := c.s.acd.do(what, cmd)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return fmt.Errorf("%w: agent %s", web.ErrNotFound, agent)
	}
	return err
}

func (c agentControl) Login(agent string) error { return c.s.loginAgent("api login", agent) }

// errNoPhone refuses to log in an agent whose softphone is not registered:
// every call offered to it would fail at once, the caller would keep
// waiting and the agent would end up auto-paused.
var errNoPhone = errors.New("no registered phone")

// loginAgent logs an agent in if its phone is registered. The check runs
// under the ACD's lock, so that a registration lost meanwhile is seen
// either here or by the logout that follows it (acdRuntime.registration).
func (s *Server) loginAgent(what, agent string) error {
	return s.loginAgentWith(what, agent, func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogin(agent) })
}

// loginAgentWith runs login (AgentLogin, or AgentLoginPaused) once the
// agent's phone is known to be registered, in the same ACD command.
func (s *Server) loginAgentWith(what, agent string, login func(a *acd.ACD) ([]acd.Action, error)) error {
	return agentControl{s}.run(what, agent, func(a *acd.ACD) ([]acd.Action, error) {
		if _, err := a.Agent(agent); err != nil {
			return nil, err
		}
		if len(s.sip.Bindings(agent)) == 0 {
			return nil, fmt.Errorf("agent %s cannot log in: %w: register the softphone, then log in", agent, errNoPhone)
		}
		return login(a)
	})
}

func (c agentControl) Logout(agent string) error {
	return c.run("api logout", agent, func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogout(agent) })
}

func (c agentControl) Ready(agent string) error {
	return c.run("api ready", agent, func(a *acd.ACD) ([]acd.Action, error) { return a.AgentReady(agent) })
}

func (c agentControl) Pause(agent, reason string) error {
	return c.run("api pause", agent, func(a *acd.ACD) ([]acd.Action, error) { return a.AgentPause(agent, reason) })
}

func (c agentControl) Disposition(agent, category string, resolved bool) error {
	return c.run("api disposition", agent, func(a *acd.ACD) ([]acd.Action, error) {
		return nil, a.SetDisposition(agent, category, resolved)
	})
}

func apiTokens(s *Server) []web.Token {
	var out []web.Token
	for _, t := range s.cfg.API.Tokens {
		out = append(out, web.NewToken(t.Name, t.Secret(), web.Role(t.Role), t.Agent))
	}
	return out
}
