package config

import (
	"strings"
	"testing"
	"time"
)

func TestCareValidation(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	if errs := c.validateCare(); len(errs) != 0 {
		t.Fatalf("demo config: %v", errs)
	}
	q := c.Queues["general"]
	q.Survey = &Survey{Enabled: true, Timeout: 2 * time.Minute}
	q.StickyAgent = &StickyAgent{Days: 0, Grace: -time.Second}
	q.Recording = &Recording{Enabled: true, RetentionDays: -1}
	c.Queues["general"] = q
	c.RepeatComplaints = &RepeatComplaints{Threshold: 0, Priority: -1, Queue: "nope"}
	var msgs []string
	for _, e := range c.validateCare() {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"queues.general.survey.timeout", "queues.general.sticky_agent.days", "queues.general.sticky_agent.grace",
		"queues.general.recording.retention_days", "repeat_complaints.threshold", "repeat_complaints.priority",
		`repeat_complaints.queue: unknown queue "nope"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no error about %s in:\n%s", want, all)
		}
	}
}

func TestCareDefaults(t *testing.T) {
	s := &Survey{}
	if s.SurveyTimeout() != DefaultSurveyTimeout || s.SurveyPrompt() != "survey_rate" {
		t.Errorf("survey defaults %v %q", s.SurveyTimeout(), s.SurveyPrompt())
	}
	if (&StickyAgent{}).GraceOrDefault() != DefaultStickyGrace {
		t.Error("sticky grace default")
	}
	if (&RepeatComplaints{}).CategoryOrDefault() != "complaint" {
		t.Error("complaint category default")
	}
}

func TestCareKeysParse(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	if r := c.RepeatComplaints; r == nil || r.Threshold != 3 || r.Priority != 10 || r.Queue != "complaints_senior" {
		t.Fatalf("repeat_complaints = %+v", r)
	}
	g := c.Queues["general"]
	if g.Survey == nil || !g.Survey.Enabled || g.StickyAgent == nil || g.StickyAgent.Days != 7 || g.StickyAgent.Grace != 20*time.Second {
		t.Fatalf("general: survey %+v, sticky %+v", g.Survey, g.StickyAgent)
	}
	if r := c.Queues["billing"].Recording; r == nil || !r.Enabled || !r.Announce || r.RetentionDays != 90 {
		t.Fatalf("billing recording %+v", r)
	}
	const line = "repeat_complaints: {threshold: 3, priority: 10, queue: complaints_senior}"
	if !strings.Contains(string(Demo()), line) {
		t.Fatal("demo lost its repeat_complaints line")
	}
	bad := strings.Replace(string(Demo()), line, "repeat_complaints: {threshold: 3, queue: complaints_senior, bogus: 1}", 1)
	if _, err := Parse("demo.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("unknown key: %v", err)
	}
}
