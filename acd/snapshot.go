package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/view"
)

// The ACD's read side is package view's; its API keeps these names.
type (
	QueueStats  = view.QueueStats
	AgentInfo   = view.AgentInfo
	CallInfo    = view.CallInfo
	WaitingCall = view.WaitingCall
)

// Queues returns every queue's stats, in config order.
func (a *ACD) Queues() []QueueStats {
	a.begin()
	return a.roster.QueueStats(a.now)
}

// QueueStats returns one queue's stats.
func (a *ACD) QueueStats(name string) (QueueStats, error) {
	q, err := a.queueNamed(name)
	if err != nil {
		return QueueStats{}, err
	}
	a.begin()
	return q.Stats(a.now), nil
}

// Agents returns every agent, in config order.
func (a *ACD) Agents() []AgentInfo {
	a.begin()
	return a.roster.AgentInfos(a.now)
}

// Agent returns one agent.
func (a *ACD) Agent(id string) (AgentInfo, error) {
	ag, err := a.agentNamed(id)
	if err != nil {
		return AgentInfo{}, err
	}
	a.begin()
	return ag.Info(a.now), nil
}

// Position returns a waiting call's place in its queue (1 = next).
func (a *ACD) Position(callID string) (int, error) {
	c, err := a.waitingCall(callID)
	if err != nil {
		return 0, err
	}
	return c.Position(), nil
}

// ExpectedWait estimates how much longer a waiting call will wait: the
// callers that idle agents cannot take at once, times the queue's rolling
// average handle time, divided among the agents serving the queue.
func (a *ACD) ExpectedWait(callID string) (time.Duration, error) {
	c, err := a.waitingCall(callID)
	if err != nil {
		return 0, err
	}
	return c.Queue.ExpectedWait(c.Position()), nil
}

// QueueExpectedWait estimates the wait of a caller who joins the queue now.
func (a *ACD) QueueExpectedWait(name string) (time.Duration, error) {
	q, err := a.queueNamed(name)
	if err != nil {
		return 0, err
	}
	return q.ExpectedWait(q.Waiting.Len() + 1), nil
}

func (a *ACD) waitingCall(callID string) (*queuedCall, error) {
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	if c.Connected() {
		return nil, fmt.Errorf("acd: call %s: %w", callID, ErrNotWaiting)
	}
	return c, nil
}

// Call describes a waiting or connected call.
func (a *ACD) Call(callID string) (CallInfo, error) {
	c, err := a.callNamed(callID)
	if err != nil {
		return CallInfo{}, err
	}
	a.begin()
	return c.Info(a.now), nil
}

// WaitingCalls lists a queue's waiting calls in service order.
func (a *ACD) WaitingCalls(queueName string) ([]CallInfo, error) {
	q, err := a.queueNamed(queueName)
	if err != nil {
		return nil, err
	}
	a.begin()
	out := make([]CallInfo, 0, q.Waiting.Len())
	q.Waiting.Each(func(c *queuedCall) {
		info := c.Info(a.now)
		info.Position = len(out) + 1 // cheaper than a rank per call
		out = append(out, info)
	})
	return out, nil
}
