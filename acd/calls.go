package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/view"
	"github.com/hotline-oss/hotline/acd/waitlist"
	"github.com/hotline-oss/hotline/call"
)

// Enqueue puts a call in a queue. Priority is higher-first; caller is the
// caller's number, kept for events. The first action says what happened:
// Queued (possibly followed by an Offer at once), Blocked ("queue_full":
// MaxWaiting reached) or Rejected ("no_agents": nobody logged in and the
// queue rejects callers when empty). A call that overflowed or was
// transferred may be enqueued again under the same id.
func (a *ACD) Enqueue(callID, queueName, caller string, priority int) ([]Action, error) {
	a.begin()
	q, err := a.queueNamed(queueName)
	if err != nil {
		return nil, err
	}
	if _, dup := a.calls[callID]; dup {
		return nil, fmt.Errorf("acd: enqueue %s: %w", callID, ErrDuplicateCall)
	}
	if q.loggedIn() == 0 && q.cfg.JoinEmpty == JoinEmptyReject {
		a.do(Rejected{CallID: callID, Reason: ReasonNoAgents})
		return a.finish(), nil
	}
	if q.cfg.MaxWaiting > 0 && q.waiting.Len() >= q.cfg.MaxWaiting {
		a.emit(call.Event{
			Kind: call.CallBlocked, CallID: callID, Caller: caller, Queue: q.cfg.Name,
			Priority: priority, Result: call.ResultBlocked, Reason: ReasonQueueFull,
		})
		a.do(Blocked{CallID: callID, Reason: ReasonQueueFull})
		return a.finish(), nil
	}
	c := a.newCall(callID, caller, priority, q, a.now)
	a.makeReady(c)
	if q.cfg.MaxWait > 0 {
		a.arm(&c.maxWaitTimer, a.now.Add(q.cfg.MaxWait))
	}
	if q.cfg.AnnounceEvery > 0 {
		a.arm(&c.announceTimer, a.now.Add(q.cfg.AnnounceEvery))
	}
	a.emit(call.Event{Kind: call.Queued, CallID: callID, Caller: caller, Queue: q.cfg.Name, Priority: priority})
	pos := q.waiting.Rank(&c.waitNode) + 1
	a.do(Queued{CallID: callID, Queue: q.cfg.Name, Position: pos, ExpectedWait: a.expectedWait(q, pos)})
	a.route()
	return a.finish(), nil
}

// newCall makes a call known to the ACD, with the next arrival sequence,
// and puts it in q's waiting list.
func (a *ACD) newCall(id, caller string, priority int, q *queue, joined time.Time) *queuedCall {
	a.seq++
	c := &queuedCall{id: id, caller: caller, priority: priority, queue: q, joined: joined}
	key := waitlist.Key{Priority: priority, Seq: a.seq}
	c.waitNode = waitNode{Key: key, Value: c}
	c.readyNode = waitNode{Key: key, Value: c}
	c.ringTimer = callTimer(timerRing, c)
	c.maxWaitTimer = callTimer(timerMaxWait, c)
	c.announceTimer = callTimer(timerAnnounce, c)
	a.calls[id] = c
	q.waiting.Insert(&c.waitNode)
	return c
}

// Abandon reports that a waiting caller hung up. Agents ringing for the call
// are cancelled (CancelOffer) and become available again.
func (a *ACD) Abandon(callID string) ([]Action, error) {
	a.begin()
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	if c.connected() {
		return nil, fmt.Errorf("acd: abandon %s: %w (end the talk instead)", callID, ErrNotWaiting)
	}
	a.emit(call.Event{
		Kind: call.Abandoned, CallID: c.id, Caller: c.caller, Queue: c.queue.cfg.Name,
		Priority: c.priority, Wait: a.now.Sub(c.joined), HangupBy: call.HangupByCaller,
	})
	a.disarm(&c.ringTimer)
	a.withdrawAll(c, nil, ReasonCallerAbandoned)
	a.leaveQueue(c)
	delete(a.calls, c.id)
	a.route()
	return a.finish(), nil
}

// leaveQueue takes a waiting call out of its queue's lists and timers; the
// caller of leaveQueue decides whether the call stays known (answered) or not.
func (a *ACD) leaveQueue(c *queuedCall) {
	q := c.queue
	q.waiting.Remove(&c.waitNode)
	if c.ready {
		q.ready.Remove(&c.readyNode)
		c.ready = false
	}
	a.disarm(&c.maxWaitTimer)
	a.disarm(&c.announceTimer)
	a.unparkSticky(c)
	c.tried = nil
}

// maxWaitReached overflows a caller who waited the queue's MaxWait. A call
// ringing an agent at that moment keeps its chance: it overflows only if the
// offer fails.
func (a *ACD) maxWaitReached(c *queuedCall) {
	if len(c.legs) > 0 {
		c.overdue = true
		return
	}
	a.overflow(c)
}

func (a *ACD) overflow(c *queuedCall) {
	a.removeWaiting(c, c.queue.cfg.OverflowTarget, ReasonMaxWait)
	a.do(Overflow{CallID: c.id, Target: c.queue.cfg.OverflowTarget})
}

// removeWaiting forgets a waiting call that leaves for elsewhere and emits
// Overflowed for it.
func (a *ACD) removeWaiting(c *queuedCall, target, reason string) {
	a.leaveQueue(c)
	delete(a.calls, c.id)
	a.emit(call.Event{
		Kind: call.Overflowed, CallID: c.id, Caller: c.caller, Queue: c.queue.cfg.Name,
		Priority: c.priority, Target: target, Reason: reason, Wait: a.now.Sub(c.joined),
	})
}

// leaveIfEmpty sends every caller of q away when its last agent logged out
// and the queue is set to empty itself. No call can be ringing then: a
// ringing agent is logged in.
func (a *ACD) leaveIfEmpty(q *queue) {
	if !q.cfg.LeaveWhenEmpty || q.loggedIn() > 0 || q.waiting.Len() == 0 {
		return
	}
	var leaving []*queuedCall
	q.waiting.Each(func(c *queuedCall) {
		if c.cb == nil { // callbacks wait for agents to come back; they give up on their own
			leaving = append(leaving, c)
		}
	})
	for _, c := range leaving {
		a.removeWaiting(c, "", ReasonNoAgents)
		a.do(Leave{CallID: c.id, Reason: ReasonNoAgents})
	}
}

// announce tells a waiting caller their position and expected wait, and
// schedules the next announcement. A caller whose phone is ringing at an
// agent is skipped this time.
func (a *ACD) announce(c *queuedCall) {
	q := c.queue
	next := c.announceTimer.At().Add(q.cfg.AnnounceEvery)
	if !next.After(a.now) {
		// The runtime called Tick late; keep the rhythm, skip the missed ones.
		missed := a.now.Sub(next)/q.cfg.AnnounceEvery + 1
		next = next.Add(missed * q.cfg.AnnounceEvery)
	}
	a.arm(&c.announceTimer, next)
	if len(c.legs) > 0 {
		return
	}
	pos := q.waiting.Rank(&c.waitNode) + 1
	a.do(Announce{CallID: c.id, Position: pos, ExpectedWait: a.expectedWait(q, pos)})
}

// expectedWait estimates the wait of the caller at position pos in q
// (view.ExpectedWait says how).
func (a *ACD) expectedWait(q *queue, pos int) time.Duration {
	return view.ExpectedWait(pos, q.strategy.Len(), q.staffed(), q.handle.Average())
}
