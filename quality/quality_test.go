package quality

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
)

var standard = Form{ID: "standard", Sections: []Section{
	{Title: "Opening", Questions: []Question{
		{ID: "greeting", Text: "Greeted with the work number", Weight: 10, Max: 1, Critical: true},
		{ID: "verify", Text: "Verified the account", Weight: 10, Max: 1, Critical: true},
	}},
	{Title: "Handling", Questions: []Question{
		{ID: "tone", Text: "Courteous tone", Weight: 20, Max: 4},
		{ID: "readback", Text: "Read back the work order", Weight: 10, Max: 1},
	}},
}}

func TestScoreWeighsEachAnswerOnItsScale(t *testing.T) {
	r, err := Score(standard, map[string]int{"greeting": 1, "verify": 1, "tone": 3, "readback": 0})
	if err != nil {
		t.Fatal(err)
	}
	// (10 + 10 + 20·3/4 + 0) / 50 = 35/50
	if r.Score != 70 || r.Raw != 70 || len(r.CriticalFailed) != 0 {
		t.Fatalf("result %+v, want 70", r)
	}
	full, _ := Score(standard, map[string]int{"greeting": 1, "verify": 1, "tone": 4, "readback": 1})
	if full.Score != 100 {
		t.Fatalf("every answer at the top scores %v", full.Score)
	}
}

func TestACriticalQuestionAnsweredNoZeroesTheScore(t *testing.T) {
	r, err := Score(standard, map[string]int{"greeting": 0, "verify": 1, "tone": 4, "readback": 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Score != 0 || r.Raw != 80 || !slices.Equal(r.CriticalFailed, []string{"greeting"}) {
		t.Fatalf("result %+v, want 0 with raw 80 and greeting failed", r)
	}
}

func TestScoreRefusesAnswersThatDoNotFit(t *testing.T) {
	for name, answers := range map[string]map[string]int{
		"missing":      {"greeting": 1, "verify": 1, "tone": 3},
		"out of scale": {"greeting": 2, "verify": 1, "tone": 3, "readback": 1},
		"negative":     {"greeting": 1, "verify": 1, "tone": -1, "readback": 1},
		"unknown":      {"greeting": 1, "verify": 1, "tone": 3, "readback": 1, "smile": 1},
	} {
		if _, err := Score(standard, answers); !errors.Is(err, ErrBadAnswers) {
			t.Errorf("%s: %v, want ErrBadAnswers", name, err)
		}
	}
}

func TestFormForPrefersTheQueuesOwnForm(t *testing.T) {
	forms := []Form{{ID: "general"}, {ID: "complaints", Queues: []string{"complaints"}}}
	if f, _ := FormFor(forms, "complaints"); f.ID != "complaints" {
		t.Fatalf("complaints got %s", f.ID)
	}
	if f, _ := FormFor(forms, "billing"); f.ID != "general" {
		t.Fatalf("billing got %s", f.ID)
	}
	if _, ok := FormFor(forms[1:], "billing"); ok {
		t.Fatal("a form for another queue was used")
	}
}

func calls(agent string, n int) []Call {
	var out []Call
	for i := range n {
		out = append(out, Call{CallID: fmt.Sprintf("%s-%02d", agent, i), Agent: agent, Queue: "billing",
			Started: time.Date(2026, 5, 1+i%28, 9, 0, 0, 0, time.UTC)})
	}
	return out
}

func TestQueueSamplesEachAgentAndKeepsEveryFlaggedCall(t *testing.T) {
	all := append(calls("1001", 20), calls("1002", 3)...)
	all[0].SurveyScore = 1               // low survey
	all[1].Category = "complaint"        // complaint
	all[2].SurveyScore = 5               // satisfied: not flagged
	all = append(all, Call{CallID: "x"}) // no agent: never reviewed
	rules := Rules{SamplePerAgent: 5, LowSurveyScore: 2, ComplaintCategories: []string{"complaint"}}
	q := Queue(all, "2026-05", rules)
	count := map[string]int{}
	reasons := map[string][]string{}
	for _, it := range q {
		count[it.Agent]++
		reasons[it.CallID] = it.Reasons
	}
	if count["1001"] != 7 || count["1002"] != 3 || len(q) != 10 {
		t.Fatalf("per agent %v (total %d), want 1001: 5 sampled + 2 flagged, 1002: all 3", count, len(q))
	}
	if !slices.Equal(reasons["1001-00"], []string{ReasonLowSurvey}) || !slices.Equal(reasons["1001-01"], []string{ReasonComplaint}) {
		t.Fatalf("flags %v", reasons)
	}
	// The same month draws the same sample; another month another one.
	if again := Queue(all, "2026-05", rules); fmt.Sprint(again) != fmt.Sprint(q) {
		t.Fatal("the sample changed between two asks")
	}
	if other := Queue(all, "2026-06", rules); fmt.Sprint(other) == fmt.Sprint(q) {
		t.Fatal("two months drew the same sample")
	}
	if none := Queue(all, "2026-05", Rules{}); len(none) != 0 {
		t.Fatalf("with sampling and flags off: %d items", len(none))
	}
}

func TestSummariseScoresAgentsTeamsAndAll(t *testing.T) {
	reviews := []store.Review{
		{Agent: "1001", Score: 80},
		{Agent: "1001", Score: 0, CriticalFailed: []string{"greeting"}, Acknowledged: time.Unix(1, 0)},
		{Agent: "1002", Score: 90},
	}
	v := Summarise("2026-05", reviews, map[string][]string{"north": {"1001", "1002"}, "south": {"1003"}})
	if v.All.Reviews != 3 || v.All.Mean != 56.7 {
		t.Fatalf("all %+v", v.All)
	}
	a := v.Agents[0]
	if a.Name != "1001" || a.Mean != 40 || a.CriticalFailed != 1 || a.Acknowledged != 1 || a.LowestScore != 0 || a.HighestScore != 80 {
		t.Fatalf("1001 %+v", a)
	}
	if v.Teams[0].Name != "north" || v.Teams[0].Reviews != 3 || v.Teams[1].Reviews != 0 {
		t.Fatalf("teams %+v", v.Teams)
	}
}
