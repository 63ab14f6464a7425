package acd

import (
	"slices"
	"testing"

	"github.com/hotline-oss/hotline/call"
)

func TestRingAllPicksEveryone(t *testing.T) {
	s := newRingAll(5)
	cands := candidates(5)
	for _, i := range []int{4, 0, 2} {
		s.Add(cands[i])
	}
	if got := pickIDs(s, nil); !slices.Equal(got, []string{"1001", "1003", "1005"}) {
		t.Fatalf("picked %v", got)
	}
	if got := pickIDs(s, skipIDs("1003")); !slices.Equal(got, []string{"1001", "1005"}) {
		t.Fatalf("picked %v", got)
	}
}

// Through the ACD: one Offer rings all; the first answer cancels the rest.
func TestRingAllFirstAnswerWins(t *testing.T) {
	q := quietQueue("q")
	q.Strategy = StrategyRingAll
	h := newHarness(t, team(q, 3))
	h.login("1001", "1002", "1003")
	acts := h.ok(h.acd.Enqueue("c1", "q", "555", 0))
	os := offers(acts)
	if len(os) != 1 || !slices.Equal(os[0].AgentIDs, []string{"1001", "1002", "1003"}) {
		t.Fatalf("offers %+v", os)
	}
	// One leg fails: the others keep ringing.
	acts = h.ok(h.acd.OfferFailed("c1", "1003", FailDeclined))
	wantActions(t, acts)
	acts = h.ok(h.acd.OfferAnswered("c1", "1002"))
	wantActions(t, acts,
		CancelOffer{CallID: "c1", AgentID: "1001"},
		Connect{CallID: "c1", AgentID: "1002", WorkNumber: "2002"},
	)
	h.wantState("1001", Available)
	h.wantState("1002", Talking)
	var reason string
	for _, e := range h.eventsOf(call.AgentStateChanged) {
		if e.Agent == "1001" && e.PrevState == "ringing" {
			reason = e.Reason
		}
	}
	if reason != ReasonAnsweredElsewhere {
		t.Fatalf("1001 left ringing with reason %q", reason)
	}
	_, err := h.acd.OfferAnswered("c1", "1001")
	wantErr(t, err, ErrNoOffer)
}
