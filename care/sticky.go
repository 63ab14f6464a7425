package care

import "time"

// preferAgent looks up, for a caller entering queue, the agent who
// answered their last call within the queue's sticky_agent days. The
// look-up is bounded (lookupTimeout): on a slow or failing database the
// caller is routed normally rather than kept waiting.
func (svc *Service) preferAgent(c CallInfo, queue string, st *settings) (string, time.Duration) {
	if svc.deps.Store == nil || c.Caller == "" {
		return "", 0
	}
	sa := st.queue(queue).StickyAgent
	if sa == nil {
		return "", 0
	}
	ctx, cancel := svc.lookupCtx()
	defer cancel()
	since := svc.deps.Clock.Now().AddDate(0, 0, -sa.Days)
	agent, err := svc.deps.Store.LastAgent(ctx, c.Caller, since)
	if err != nil {
		c.Log.Warn("sticky agent look-up failed: routing normally", "queue", queue, "err", err)
		return "", 0
	}
	if agent == "" {
		return "", 0
	}
	c.Log.Debug("returning caller: preferred agent", "queue", queue, "agent", agent)
	return agent, sa.GraceOrDefault()
}
