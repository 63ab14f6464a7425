package tickets

import (
	"errors"
	"testing"
)

func TestLifecycleAllowsOnlyItsSteps(t *testing.T) {
	cases := []struct {
		from     State
		action   Action
		resolved bool
		want     State
		reason   string // empty: allowed
	}{
		{Open, ActAssign, false, Assigned, ""},
		{Assigned, ActAssign, false, Assigned, ""},
		{Reopened, ActAssign, false, Assigned, ""},
		{Assigned, ActAnswer, false, Answered, ""},
		{Answered, ActClose, false, Closed, ""},
		{Closed, ActReturnVisit, true, ReturnVisited, ""},
		{Closed, ActReturnVisit, false, Reopened, ""},
		{Closed, ActReopen, false, Reopened, ""},
		{ReturnVisited, ActReopen, false, Reopened, ""},
		{Answered, ActNote, false, Answered, ""},
		{Open, ActClose, false, Open, "the customer has not been answered yet"},
		{Assigned, ActClose, false, Assigned, "the customer has not been answered yet"},
		{Open, ActAnswer, false, Open, "assign it to an owner first"},
		{Open, ActReturnVisit, true, Open, "a return visit is made only on a closed ticket"},
		{Answered, ActReturnVisit, true, Answered, "a return visit is made only on a closed ticket"},
		{Open, ActReopen, false, Open, "only a closed ticket can be reopened"},
		{Closed, ActAssign, false, Closed, "only a ticket not yet closed can be assigned; reopen it first"},
		{Closed, ActClose, false, Closed, "it is closed already"},
	}
	for _, c := range cases {
		got, err := Next(c.from, c.action, c.resolved)
		if c.reason == "" {
			if err != nil || got != c.want {
				t.Errorf("%s on %s = %s, %v; want %s", c.action, c.from, got, err, c.want)
			}
			continue
		}
		var te *TransitionError
		if !errors.As(err, &te) || te.Reason != c.reason || !errors.Is(err, ErrTransition) || got != c.from {
			t.Errorf("%s on %s = %s, %v; want refused: %s", c.action, c.from, got, err, c.reason)
		}
	}
}
