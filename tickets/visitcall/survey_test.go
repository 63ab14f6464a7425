package visitcall

import "testing"

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
