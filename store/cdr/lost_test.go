package cdr

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// A lost call that waited ends failed, its visit ended (not abandoned:
// the caller did not hang up); one that talked is answered by its agent,
// its talk running until the node was declared gone.
func TestLostRecord(t *testing.T) {
	q := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	waited := LostRecord(LostCall{CallID: "w", Caller: "555", Queue: "billing", Priority: 2, Queued: q, Ended: q.Add(40 * time.Second)})
	if waited.Result != call.ResultFailed || waited.EndReason != ReasonNodeLost || waited.HangupBy != call.HangupByServer ||
		waited.Agent != "" || !waited.AgentAnswered.IsZero() || !waited.Arrived.Equal(q) || waited.QueueWait != 40*time.Second ||
		len(waited.Visits) != 1 || waited.Visits[0].Outcome != OutcomeEnded || waited.Visits[0].Wait != 40*time.Second {
		t.Errorf("waiting call: %+v", waited)
	}
	talked := LostRecord(LostCall{CallID: "t", Queue: "billing", Queued: q, Agent: "1001", Answered: q.Add(5 * time.Second),
		Ended: q.Add(65 * time.Second)})
	v := talked.Visits[0]
	if talked.Result != call.ResultAnsweredByAgent || talked.EndReason != ReasonNodeLost || talked.Agent != "1001" ||
		talked.Talk != time.Minute || !talked.TalkEnded.Equal(q.Add(65*time.Second)) || talked.QueueWait != 5*time.Second ||
		v.Outcome != OutcomeAnswered || v.Agent != "1001" || v.Wait != 5*time.Second || v.Talk != time.Minute {
		t.Errorf("talking call: %+v", talked)
	}
}
