package cdr

import (
	"time"

	"github.com/hotline-oss/hotline/call"
)

// ReasonNodeLost is the end reason of a call whose node died (killed, or
// cut off for good) while the call waited in a queue or talked to an
// agent: its media ran there, so the call ended with the node. The
// cluster's leader writes such a record when it declares the node gone.
const ReasonNodeLost = "node_lost"

// LostCall is what the cluster's ACD knew of a call of a node that died:
// no IVR path, no dialled number, no hold; only the queue, the agent and
// the times the ACD saw.
type LostCall struct {
	CallID   string
	Caller   string
	Queue    string
	Priority int
	Queued   time.Time // when it entered the queue it was in
	Agent    string    // the connected agent, if it talked
	Answered time.Time // when that agent answered
	Ended    time.Time // when the node was declared gone
}

// LostRecord is the record of a lost call: answered by the agent if it
// talked (the talk ends when the node was declared gone), failed if it
// still waited; ended by the server, for ReasonNodeLost. Its one visit is
// the stay in the queue the ACD knew. The arrival is unknown to the ACD:
// the queueing time stands for it.
func LostRecord(l LostCall) CallRecord {
	r := CallRecord{
		CallID: l.CallID, Caller: l.Caller, Queue: l.Queue, Priority: l.Priority,
		Arrived: l.Queued, IVREnded: l.Queued, Queued: l.Queued, Ended: l.Ended,
		HangupBy: call.HangupByServer, Result: call.ResultFailed, EndReason: ReasonNodeLost,
	}
	v := QueueVisit{Seq: 1, Queue: l.Queue, Priority: l.Priority, Queued: l.Queued, Left: l.Ended, Outcome: OutcomeEnded}
	if l.Agent != "" && !l.Answered.IsZero() {
		r.Agent, r.AgentOffered, r.AgentAnswered, r.TalkEnded = l.Agent, l.Answered, l.Answered, l.Ended
		r.AgentOffers = 1
		r.Result = call.ResultAnsweredByAgent
		r.Talk = max(l.Ended.Sub(l.Answered), 0)
		v.Left, v.Outcome, v.Agent, v.TalkEnded, v.Talk = l.Answered, OutcomeAnswered, l.Agent, l.Ended, r.Talk
	}
	v.Wait = max(v.Left.Sub(l.Queued), 0)
	r.QueueWait = v.Wait
	r.Visits = []QueueVisit{v}
	return r
}
