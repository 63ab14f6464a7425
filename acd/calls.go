package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/acd/roster"
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
	if _, dup := a.roster.Calls[callID]; dup {
		return nil, fmt.Errorf("acd: enqueue %s: %w", callID, ErrDuplicateCall)
	}
	if q.LoggedIn() == 0 && q.Cfg.JoinEmpty == JoinEmptyReject {
		a.do(Rejected{CallID: callID, Reason: action.ReasonNoAgents})
		return a.finish(), nil
	}
	if q.Cfg.MaxWaiting > 0 && q.Waiting.Len() >= q.Cfg.MaxWaiting {
		a.emit(call.Event{
			Kind: call.CallBlocked, CallID: callID, Caller: caller, Queue: q.Cfg.Name,
			Priority: priority, Result: call.ResultBlocked, Reason: action.ReasonQueueFull,
		})
		a.do(Blocked{CallID: callID, Reason: action.ReasonQueueFull})
		return a.finish(), nil
	}
	c := a.newCall(callID, caller, priority, q, a.now)
	a.makeReady(c)
	if q.Cfg.MaxWait > 0 {
		a.timers.Arm(&c.MaxWaitTimer, a.now.Add(q.Cfg.MaxWait))
	}
	if q.Cfg.AnnounceEvery > 0 {
		a.timers.Arm(&c.AnnounceTimer, a.now.Add(q.Cfg.AnnounceEvery))
	}
	a.emit(call.Event{Kind: call.Queued, CallID: callID, Caller: caller, Queue: q.Cfg.Name, Priority: priority})
	pos := c.Position()
	a.do(Queued{CallID: callID, Queue: q.Cfg.Name, Position: pos, ExpectedWait: q.ExpectedWait(pos)})
	a.route()
	return a.finish(), nil
}

// newCall makes a call known to the ACD, with the next arrival sequence,
// and puts it in q's waiting list.
func (a *ACD) newCall(id, caller string, priority int, q *queue, joined time.Time) *queuedCall {
	a.seq++
	c := roster.NewCall(id, caller, priority, q, joined, a.seq)
	a.roster.Calls[id] = c
	q.Waiting.Insert(&c.WaitNode)
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
	if c.Connected() {
		return nil, fmt.Errorf("acd: abandon %s: %w (end the talk instead)", callID, ErrNotWaiting)
	}
	a.emit(call.Event{
		Kind: call.Abandoned, CallID: c.ID, Caller: c.Caller, Queue: c.Queue.Cfg.Name,
		Priority: c.Priority, Wait: a.now.Sub(c.Joined), HangupBy: call.HangupByCaller,
	})
	a.timers.Disarm(&c.RingTimer)
	a.withdrawAll(c, nil, action.ReasonCallerAbandoned)
	a.leaveQueue(c)
	delete(a.roster.Calls, c.ID)
	a.route()
	return a.finish(), nil
}

// leaveQueue takes a waiting call out of its queue's lists and timers; the
// caller of leaveQueue decides whether the call stays known (answered) or not.
func (a *ACD) leaveQueue(c *queuedCall) {
	c.LeaveLists()
	a.timers.Disarm(&c.MaxWaitTimer)
	a.timers.Disarm(&c.AnnounceTimer)
	a.unparkSticky(c)
}

// maxWaitReached overflows a caller who waited the queue's MaxWait. A call
// ringing an agent at that moment keeps its chance: it overflows only if the
// offer fails.
func (a *ACD) maxWaitReached(c *queuedCall) {
	if len(c.Legs) > 0 {
		c.Overdue = true
		return
	}
	a.overflow(c)
}

func (a *ACD) overflow(c *queuedCall) {
	a.removeWaiting(c, c.Queue.Cfg.OverflowTarget, action.ReasonMaxWait)
	a.do(Overflow{CallID: c.ID, Target: c.Queue.Cfg.OverflowTarget})
}

// removeWaiting forgets a waiting call that leaves for elsewhere and emits
// Overflowed for it.
func (a *ACD) removeWaiting(c *queuedCall, target, reason string) {
	a.leaveQueue(c)
	delete(a.roster.Calls, c.ID)
	a.emit(call.Event{
		Kind: call.Overflowed, CallID: c.ID, Caller: c.Caller, Queue: c.Queue.Cfg.Name,
		Priority: c.Priority, Target: target, Reason: reason, Wait: a.now.Sub(c.Joined),
	})
}

// leaveIfEmpty sends every caller of q away when its last agent logged out
// and the queue is set to empty itself. No call can be ringing then: a
// ringing agent is logged in.
func (a *ACD) leaveIfEmpty(q *queue) {
	if !q.Cfg.LeaveWhenEmpty || q.LoggedIn() > 0 || q.Waiting.Len() == 0 {
		return
	}
	var leaving []*queuedCall
	q.Waiting.Each(func(c *queuedCall) {
		if c.Callback == nil { // callbacks wait for agents to come back; they give up on their own
			leaving = append(leaving, c)
		}
	})
	for _, c := range leaving {
		a.removeWaiting(c, "", action.ReasonNoAgents)
		a.do(Leave{CallID: c.ID, Reason: action.ReasonNoAgents})
	}
}

// announce tells a waiting caller their position and expected wait, and
// schedules the next announcement. A caller whose phone is ringing at an
// agent is skipped this time.
func (a *ACD) announce(c *queuedCall) {
	q := c.Queue
	next := c.AnnounceTimer.At().Add(q.Cfg.AnnounceEvery)
	if !next.After(a.now) {
		// The runtime called Tick late; keep the rhythm, skip the missed ones.
		missed := a.now.Sub(next)/q.Cfg.AnnounceEvery + 1
		next = next.Add(missed * q.Cfg.AnnounceEvery)
	}
	a.timers.Arm(&c.AnnounceTimer, next)
	if len(c.Legs) > 0 {
		return
	}
	pos := c.Position()
	a.do(Announce{CallID: c.ID, Position: pos, ExpectedWait: q.ExpectedWait(pos)})
}
