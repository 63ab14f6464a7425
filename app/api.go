package app

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// agentControl is the REST API's view of the ACD.
type agentControl struct{ s *Server }

func (c agentControl) Agents() []web.AgentView {
	agents := c.s.acd.Agents()
	out := make([]web.AgentView, 0, len(agents))
	for _, a := range agents {
		a.Queues = slices.DeleteFunc(slices.Clone(a.Queues), queueing.IsPersonalQueue)
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
	for _, q := range c.s.acd.Snapshot() {
		out = append(out, web.QueueView{
			Name: q.Name, Waiting: q.Waiting, OldestWaitSeconds: q.OldestWaitSeconds,
			ExpectedWaitSeconds: q.ExpectedWaitSeconds, Agents: q.Agents,
		})
	}
	return out
}

func (c agentControl) run(agent string, cmd queueing.Command) error {
	err := c.s.acd.Do(cmd)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return fmt.Errorf("%w: agent %s", web.ErrNotFound, agent)
	}
	return err
}

func (c agentControl) Login(agent string) error { return c.s.loginAgent(agent) }

// loginAgent logs an agent in if its phone is registered (the ACD command
// checks it: queueing.AgentLogin).
func (s *Server) loginAgent(agent string) error {
	return agentControl{s}.run(agent, queueing.AgentLogin{Agent: agent})
}

func (c agentControl) Logout(agent string) error {
	return c.run(agent, queueing.AgentLogout{Agent: agent})
}

func (c agentControl) Ready(agent string) error {
	return c.run(agent, queueing.AgentReady{Agent: agent})
}

func (c agentControl) Pause(agent, reason string) error {
	return c.run(agent, queueing.AgentPause{Agent: agent, Reason: reason})
}

func (c agentControl) Disposition(agent, category string, resolved bool) error {
	return c.run(agent, queueing.SetDisposition{Agent: agent, Category: category, Resolved: resolved})
}

func apiTokens(s *Server) []web.Token {
	var out []web.Token
	for _, t := range s.cfg.API.Tokens {
		out = append(out, web.NewToken(t.Name, t.Secret(), web.Role(t.Role), t.Agent))
	}
	return out
}
