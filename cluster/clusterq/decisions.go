package clusterq

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// decide carries out the decisions this node's router made for this node
// on applying one command. A command delivered again (after a
// reconnection) is not applied twice by the router; the sequences
// remembered here are a second guard against carrying its decisions out
// twice.
func (q *Queueing[L]) decide(ds []routing.Decision) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	var fresh map[uint64]bool
	for _, d := range ds {
		if fresh == nil {
			fresh = map[uint64]bool{}
		}
		if _, seen := fresh[d.Seq]; !seen {
			fresh[d.Seq] = d.Seq == 0 || q.handled.add(d.Seq)
		}
		if fresh[d.Seq] {
			q.carryOutLocked(d)
		}
	}
}

func (q *Queueing[L]) carryOutLocked(d routing.Decision) {
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	switch d.Kind {
	case routing.DecQueued:
		q.calls.Deliver(d.Call, acd.Queued{CallID: d.Call, Queue: d.Queue, Position: d.Position, ExpectedWait: ms(d.ExpectedWaitMS)})
	case routing.DecBlocked:
		q.calls.Deliver(d.Call, acd.Blocked{CallID: d.Call, Reason: d.Reason})
	case routing.DecRejected:
		q.calls.Deliver(d.Call, acd.Rejected{CallID: d.Call, Reason: d.Reason})
	case routing.DecAnnounce:
		q.calls.Deliver(d.Call, acd.Announce{CallID: d.Call, Position: d.Position, ExpectedWait: ms(d.ExpectedWaitMS)})
	case routing.DecOverflow:
		q.calls.Deliver(d.Call, acd.Overflow{CallID: d.Call, Target: d.Target})
	case routing.DecLeave:
		q.calls.Deliver(d.Call, acd.Leave{CallID: d.Call, Reason: d.Reason})
	case routing.DecOffer:
		for _, agent := range d.Agents {
			q.startDialLocked(d.Call, agent, ms(d.TimeoutMS))
		}
	case routing.DecCancelOffer:
		q.calls.CancelDial(d.Call, d.Agent)
	case routing.DecConnect:
		// The leg answered for this agent becomes the call's; the caller's
		// goroutine takes it after reading the Connect.
		if leg, ok := q.pending[d.Call][d.Agent]; ok {
			q.calls.SetLeg(d.Call, leg)
			q.forgetPendingLocked(d.Call, d.Agent)
		}
		q.calls.Deliver(d.Call, acd.Connect{CallID: d.Call, AgentID: d.Agent, WorkNumber: d.WorkNumber, AnnounceAgent: d.AnnounceAgent})
	case routing.DecWrapup:
		q.log.Debug("agent in wrap-up", "agent", d.Agent, "until", time.UnixMilli(d.UntilMS))
	}
}

// startDialLocked rings one agent for a call of this node in the
// background.
func (q *Queueing[L]) startDialLocked(callID, agent string, timeout time.Duration) {
	if q.calls.Ringing(callID, agent) {
		return
	}
	ctx, caller, ok := q.calls.StartDial(callID, agent)
	if !ok {
		return
	}
	// The ACD withdraws the offer itself when timeout passes; the extra
	// second lets its cancel_offer, not our own timer, end the ringing.
	go q.dial(ctx, callID, caller, agent, timeout+time.Second)
}

// dial rings the agent and reports the outcome to the ACD. An answered
// leg is kept, pending, before the report goes out: the leader's Connect
// may come back before this goroutine hears its own outcome.
func (q *Queueing[L]) dial(ctx context.Context, callID, caller, agent string, timeout time.Duration) {
	leg, err := q.deps.Dialer.DialAgent(ctx, agent, caller, timeout)
	if err != nil {
		if ctx.Err() != nil {
			return // the ACD cancelled this offer: it already knows
		}
		q.log.Info("agent not reached", "agent", agent, "call", callID, "err", err)
		q.mu.Lock()
		q.calls.ForgetDial(callID, agent)
		q.mu.Unlock()
		why := q.deps.Dialer.Failure(err)
		if err := q.send(routing.Command{Kind: routing.CmdOfferResult, Call: callID, Agent: agent, Result: string(why)}); err != nil {
			q.log.Info("cluster: offer result not applied", "call", callID, "agent", agent, "err", err)
		}
		return
	}
	q.mu.Lock()
	withdrawn := ctx.Err() != nil || !q.calls.Waiting(callID)
	q.calls.ForgetDial(callID, agent)
	if !withdrawn {
		if q.pending[callID] == nil {
			q.pending[callID] = map[string]L{}
		}
		q.pending[callID][agent] = leg
	}
	q.mu.Unlock()
	if withdrawn {
		leg.Hangup()
		return
	}
	err = q.send(routing.Command{Kind: routing.CmdOfferResult, Call: callID, Agent: agent, Result: "answered"})
	if err == nil {
		return
	}
	// The ACD did not take the answer (another agent was first, the
	// caller left): the leg is nobody's.
	q.mu.Lock()
	cur, still := q.pending[callID][agent]
	if still && any(cur) == any(leg) {
		q.forgetPendingLocked(callID, agent)
	}
	q.mu.Unlock()
	if still && any(cur) == any(leg) {
		leg.Hangup()
	}
}

func (q *Queueing[L]) forgetPendingLocked(callID, agent string) {
	if m := q.pending[callID]; m != nil {
		delete(m, agent)
		if len(m) == 0 {
			delete(q.pending, callID)
		}
	}
}

// seqSet remembers the last n sequences handled.
type seqSet struct {
	seen  map[uint64]struct{}
	order []uint64
	next  int
}

func newSeqSet(n int) seqSet {
	return seqSet{seen: make(map[uint64]struct{}, n), order: make([]uint64, n)}
}

// add reports whether seq is new, and remembers it.
func (s *seqSet) add(seq uint64) bool {
	if _, ok := s.seen[seq]; ok {
		return false
	}
	if old := s.order[s.next]; old != 0 {
		delete(s.seen, old)
	}
	s.order[s.next] = seq
	s.next = (s.next + 1) % len(s.order)
	s.seen[seq] = struct{}{}
	return true
}
