package acd

import (
	"testing"

	"github.com/hotline-oss/hotline/acd/action"
	"github.com/hotline-oss/hotline/call"
)

func twoQueues() Config {
	a, b := quietQueue("a"), quietQueue("b")
	return Config{
		Queues: []QueueConfig{a, b},
		Agents: []AgentConfig{
			{ID: "1001", Name: "one", WorkNumber: "2001", Queues: []string{"a"}},
			{ID: "1002", Name: "two", WorkNumber: "2002", Queues: []string{"b"}},
		},
	}
}

func TestMoveWaitingSendsTheCallerToTheOtherQueueAndFreesTheRingingAgent(t *testing.T) {
	h := newHarness(t, twoQueues())
	h.login("1001")
	h.ok(h.acd.Enqueue("c1", "a", "555", 3)) // rings 1001
	h.wantState("1001", Ringing)
	if w := h.acd.Waiting(); len(w) != 1 || w[0].CallID != "c1" || !w[0].Ringing || w[0].Position != 1 || w[0].Queue != "a" {
		t.Fatalf("waiting %+v", w)
	}

	acts := h.ok(h.acd.MoveWaiting("c1", "b"))
	wantActions(t, acts,
		CancelOffer{CallID: "c1", AgentID: "1001"},
		Overflow{CallID: "c1", Target: "queue:b"},
	)
	h.wantState("1001", Available)
	ev := h.lastEvent(call.Overflowed)
	if ev.Queue != "a" || ev.Target != "queue:b" || ev.Reason != action.ReasonMoved {
		t.Fatalf("overflowed event %+v", ev)
	}
	if w := h.acd.Waiting(); len(w) != 0 {
		t.Fatalf("still waiting after the move: %+v", w)
	}
	// The call path enters the new queue under the same id.
	h.login("1002")
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c1", "b", "555", 3))); got != "1002" {
		t.Fatalf("offered to %s", got)
	}
}

func TestMoveWaitingRefusesWhatCannotMove(t *testing.T) {
	h := newHarness(t, twoQueues())
	_, err := h.acd.MoveWaiting("nope", "b")
	wantErr(t, err, ErrUnknownCall)
	h.ok(h.acd.Enqueue("c1", "a", "", 0))
	_, err = h.acd.MoveWaiting("c1", "nowhere")
	wantErr(t, err, ErrUnknownQueue)
	_, err = h.acd.MoveWaiting("c1", "a")
	wantErr(t, err, ErrBadArgument)
	h.login("1001")
	h.ok(h.acd.OfferAnswered("c1", "1001"))
	_, err = h.acd.MoveWaiting("c1", "b")
	wantErr(t, err, ErrNotWaiting)
}
