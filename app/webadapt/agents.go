package webadapt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/web"
)

// Floor is the ACD as the adapters see it: queueing's views and its typed
// commands, nothing past them.
type Floor interface {
	Do(cmd queueing.Command) error
	Agents() []acd.AgentInfo
	Agent(id string) (acd.AgentInfo, error)
	Snapshot() []metrics.QueueSnapshot
	Waiting() []acd.WaitingCall
}

// Agents is the REST API's view of the ACD.
type Agents struct {
	Floor Floor
	// Registered reports whether an agent's softphone is registered.
	Registered func(agent string) bool
}

func (c Agents) Agents() []web.AgentView {
	agents := c.Floor.Agents()
	out := make([]web.AgentView, 0, len(agents))
	for _, a := range agents {
		a.Queues = slices.DeleteFunc(slices.Clone(a.Queues), queueing.IsPersonalQueue)
		out = append(out, web.AgentView{
			ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, State: a.State.String(), Since: a.Since,
			Reason: a.Reason, CallID: a.CallID, Queue: a.Queue, Queues: a.Queues, CallsToday: a.CallsToday,
			Registered: c.Registered(a.ID),
		})
	}
	return out
}

func (c Agents) Queues() []web.QueueView {
	var out []web.QueueView
	for _, q := range c.Floor.Snapshot() {
		out = append(out, web.QueueView{
			Name: q.Name, Waiting: q.Waiting, OldestWaitSeconds: q.OldestWaitSeconds,
			ExpectedWaitSeconds: q.ExpectedWaitSeconds, Agents: q.Agents,
		})
	}
	return out
}

func (c Agents) run(agent string, cmd queueing.Command) error {
	err := c.Floor.Do(cmd)
	if errors.Is(err, acd.ErrUnknownAgent) {
		return fmt.Errorf("%w: agent %s", web.ErrNotFound, agent)
	}
	return err
}

// Login logs an agent in if its phone is registered (the ACD command
// checks it: queueing.AgentLogin).
func (c Agents) Login(agent string) error {
	return c.run(agent, queueing.AgentLogin{Agent: agent})
}

func (c Agents) Logout(agent string) error {
	return c.run(agent, queueing.AgentLogout{Agent: agent})
}

func (c Agents) Ready(agent string) error {
	return c.run(agent, queueing.AgentReady{Agent: agent})
}

func (c Agents) Pause(agent, reason string) error {
	return c.run(agent, queueing.AgentPause{Agent: agent, Reason: reason})
}

func (c Agents) Disposition(agent, category string, resolved bool) error {
	return c.run(agent, queueing.SetDisposition{Agent: agent, Category: category, Resolved: resolved})
}

// Tokens are the configured API tokens as the web server checks them.
func Tokens(cfg *config.Config) []web.Token {
	var out []web.Token
	for _, t := range cfg.API.Tokens {
		out = append(out, web.NewToken(t.Name, t.Secret(), web.Role(t.Role), t.Agent))
	}
	return out
}
