package app

import (
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// preferAgent looks up, for a caller entering queue, the agent who
// answered their last call within the queue's sticky_agent days. The
// look-up is bounded (lookupTimeout): on a slow or failing database the
// caller is routed normally rather than kept waiting. The state keeps
// settings, the care settings the call entered the queue with.
func (cr *careRuntime) preferAgent(c *sip.Call, queue string, settings *careSettings) careState {
	base := careState{settings: settings}
	if cr == nil || cr.s.store == nil || c.Caller == "" {
		return base
	}
	sa := settings.queue(queue).StickyAgent
	if sa == nil {
		return base
	}
	ctx, cancel := cr.lookupCtx()
	defer cancel()
	since := cr.s.clock.Now().AddDate(0, 0, -sa.Days)
	agent, err := cr.s.store.LastAgent(ctx, c.Caller, since)
	if err != nil {
		c.Logger().Warn("sticky agent look-up failed: routing normally", "queue", queue, "err", err)
		return base
	}
	if agent == "" {
		return base
	}
	c.Logger().Debug("returning caller: preferred agent", "queue", queue, "agent", agent)
	return careState{prefer: agent, grace: sa.GraceOrDefault(), settings: settings}
}

// enqueue is the ACD command of a call entering queue: with its preferred
// agent on the first entry, plainly after that (overflow, transfer).
func (qc *queueCall) enqueue(queue string, priority int) queueing.Enqueue {
	cmd := queueing.Enqueue{Call: qc.c.ID, Queue: queue, Caller: qc.c.Caller, Priority: priority}
	if agent := qc.care.prefer; agent != "" {
		qc.care.prefer = ""
		cmd.Prefer, cmd.Grace = agent, qc.care.grace
	}
	return cmd
}
