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

func TestSurveyKeys(t *testing.T) {
	s := &visitSurvey{}
	if got := s.start(); len(got) != 2 || got[1] != "survey_rate" {
		t.Fatalf("start plays %v", got)
	}
	if play, done := s.key('9'); done || play[0] != "survey_invalid" {
		t.Fatalf("invalid key: %v %v", play, done)
	}
	if play, done := s.key('4'); done || play[0] != "return_visit_resolved" || s.answers.Satisfaction != 4 {
		t.Fatalf("score 4: %v %v %+v", play, done, s.answers)
	}
	if play, done := s.key('2'); !done || play[0] != "return_visit_reopened" || s.answers.Resolved {
		t.Fatalf("not resolved: %v %v %+v", play, done, s.answers)
	}

	s = &visitSurvey{}
	s.key('5')
	if play, done := s.key('1'); !done || play[0] != "survey_thanks" || !s.answers.Resolved {
		t.Fatalf("resolved: %v %v %+v", play, done, s.answers)
	}

	s = &visitSurvey{}
	for i := 0; i < maxMisses; i++ {
		if _, done := s.timeout(); done {
			t.Fatalf("gave up after %d silences", i+1)
		}
	}
	if _, done := s.timeout(); !done || s.step != surveyFailed {
		t.Fatalf("still asking after %d silences", maxMisses+1)
	}
}
