package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
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
	out := make([]QueueStats, len(a.queues))
	for i, q := range a.queues {
		out[i] = a.queueStats(q)
	}
	return out
}

// QueueStats returns one queue's stats.
func (a *ACD) QueueStats(name string) (QueueStats, error) {
	q, err := a.queueNamed(name)
	if err != nil {
		return QueueStats{}, err
	}
	a.begin()
	return a.queueStats(q), nil
}

func (a *ACD) queueStats(q *queue) QueueStats {
	s := QueueStats{
		Name:              q.cfg.Name,
		Waiting:           q.waiting.Len(),
		Ringing:           q.waiting.Len() - q.ready.Len(),
		ExpectedWait:      a.expectedWait(q, q.waiting.Len()+1),
		AverageHandleTime: q.handle.Average(),
		ServiceLevel:      q.cfg.ServiceLevel,
		Members:           len(q.members),
		LoggedIn:          q.loggedIn(),
		Agents:            make(map[State]int, agentstate.NumStates),
	}
	if c := q.waiting.Earliest(); c != nil {
		s.OldestWait = a.now.Sub(c.joined)
	}
	for _, st := range States {
		s.Agents[st] = q.count[st]
	}
	return s
}

// Agents returns every agent, in config order.
func (a *ACD) Agents() []AgentInfo {
	a.begin()
	out := make([]AgentInfo, len(a.agents))
	for i, ag := range a.agents {
		out[i] = a.agentInfo(ag)
	}
	return out
}

// Agent returns one agent.
func (a *ACD) Agent(id string) (AgentInfo, error) {
	ag, err := a.agentNamed(id)
	if err != nil {
		return AgentInfo{}, err
	}
	a.begin()
	return a.agentInfo(ag), nil
}

func (a *ACD) agentInfo(ag *agent) AgentInfo {
	info := AgentInfo{
		ID: ag.cfg.ID, Name: ag.cfg.Name, WorkNumber: ag.cfg.WorkNumber,
		State: ag.state, Since: ag.since, Reason: ag.reason, Pending: ag.after.String(),
		CallsToday: ag.callsToday, TalkToday: ag.talkToday,
	}
	if ag.backoffUntil.After(a.now) {
		info.BackoffUntil = ag.backoffUntil
	}
	switch {
	case ag.call != nil:
		info.CallID, info.Queue = ag.call.id, ag.call.queue.cfg.Name
	case ag.state == Wrapup:
		info.CallID, info.Queue = ag.wrap.callID, ag.wrap.queue.cfg.Name
	}
	for _, m := range ag.member {
		info.Queues = append(info.Queues, m.q.cfg.Name)
	}
	return info
}

// Position returns a waiting call's place in its queue (1 = next).
func (a *ACD) Position(callID string) (int, error) {
	c, err := a.waitingCall(callID)
	if err != nil {
		return 0, err
	}
	return c.queue.waiting.Rank(&c.waitNode) + 1, nil
}

// ExpectedWait estimates how much longer a waiting call will wait: the
// callers that idle agents cannot take at once, times the queue's rolling
// average handle time, divided among the agents serving the queue.
func (a *ACD) ExpectedWait(callID string) (time.Duration, error) {
	c, err := a.waitingCall(callID)
	if err != nil {
		return 0, err
	}
	return a.expectedWait(c.queue, c.queue.waiting.Rank(&c.waitNode)+1), nil
}

// QueueExpectedWait estimates the wait of a caller who joins the queue now.
func (a *ACD) QueueExpectedWait(name string) (time.Duration, error) {
	q, err := a.queueNamed(name)
	if err != nil {
		return 0, err
	}
	return a.expectedWait(q, q.waiting.Len()+1), nil
}

func (a *ACD) waitingCall(callID string) (*queuedCall, error) {
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	if c.connected() {
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
	return a.callInfo(c), nil
}

// WaitingCalls lists a queue's waiting calls in service order.
func (a *ACD) WaitingCalls(queueName string) ([]CallInfo, error) {
	q, err := a.queueNamed(queueName)
	if err != nil {
		return nil, err
	}
	a.begin()
	out := make([]CallInfo, 0, q.waiting.Len())
	q.waiting.Each(func(c *queuedCall) {
		info := a.callInfo(c)
		info.Position = len(out) + 1 // cheaper than a rank per call
		out = append(out, info)
	})
	return out, nil
}

func (a *ACD) callInfo(c *queuedCall) CallInfo {
	info := CallInfo{
		ID: c.id, Queue: c.queue.cfg.Name, Caller: c.caller, Priority: c.priority,
		Joined: c.joined, Wait: a.now.Sub(c.joined),
	}
	for _, ag := range c.legs {
		info.Ringing = append(info.Ringing, ag.cfg.ID)
	}
	if c.connected() {
		info.Agent = c.agent.cfg.ID
		info.Wait = c.answeredAt.Sub(c.joined)
		return info
	}
	info.Position = c.queue.waiting.Rank(&c.waitNode) + 1
	return info
}
