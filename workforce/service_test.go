package workforce

import (
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/store"
)

// A service fed directly, without a store: what the bus and the clock
// give it is all the live figures need.
func liveService(t *testing.T, clock *testclock.Clock) (*Service, *[]call.Event) {
	t.Helper()
	var published []call.Event
	svc := New(Options{Now: clock.Now, Publish: func(e call.Event) { published = append(published, e) }}, testRules(), testAgents)
	svc.tracker.SetShifts([]store.Shift{
		morningShift(),
		{Agent: "1003", Start: at("08:00"), End: at("09:00"), Activity: "training"},
	})
	return svc, &published
}

func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if !strings.Contains(string(doc), "`"+f.GetName()) {
			t.Errorf("%s is not in docs/metrics.md", f.GetName())
		}
		for _, m := range f.GetMetric() {
			out[f.GetName()+labels(m)] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetValue())
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestMetricsAlertsAndReload(t *testing.T) {
	clock := testclock.At(at("08:40"))
	svc, published := liveService(t, clock)
	svc.HandleEvent(stateEvent("1001", "08:00", "logged_out", "available", ""))
	svc.HandleEvent(stateEvent("1001", "08:30", "available", "paused", "coffee"))
	svc.HandleEvent(stateEvent("1003", "08:00", "logged_out", "paused", "training"))

	got := gather(t, svc.Collector())
	want := map[string]float64{
		"hotline_agent_adherence_ratio{1001}":   0.75, // 30 of 40 minutes
		"hotline_agent_in_adherence{1001}":      0,
		"hotline_agent_adherence_ratio{1003}":   1,
		"hotline_agent_in_adherence{1003}":      1,
		"hotline_team_adherence_ratio{all}":     70.0 / 80,
		"hotline_team_adherence_ratio{general}": 0.75,
		"hotline_team_adherence_ratio{billing}": 1,
		"hotline_adherence_alerts_total":        0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("series = %v", got)
	}

	// Out since 08:30, ten minutes by 08:40: one alert on the bus.
	svc.checkAlerts()
	svc.checkAlerts()
	if len(*published) != 1 {
		t.Fatalf("published = %+v", *published)
	}
	a := (*published)[0]
	if a.Kind != call.AdherenceAlert || a.Agent != "1001" || a.Detail != Phones || a.Reason != "coffee" || a.Wait.Minutes() != 10 {
		t.Errorf("alert = %+v", a)
	}
	if gather(t, svc.Collector())["hotline_adherence_alerts_total"] != 1 {
		t.Error("the alert was not counted")
	}

	// A reload applies new rules at once (training is now matched by
	// another reason; alerts are off) and drops removed agents.
	rules := testRules()
	rules.AlertAfter = 0
	rules.Activities["training"] = []string{"self_study"}
	svc.Apply(rules, testAgents)
	for _, l := range svc.Live() {
		if l.Agent == "1003" && (l.InAdherence == nil || *l.InAdherence) {
			t.Errorf("1003 paused for training after the reload: %+v", l)
		}
	}
	svc.Apply(rules, testAgents[:1])
	if live := svc.Live(); len(live) != 1 || live[0].Agent != "1001" {
		t.Errorf("after a reload without 1002 and 1003: %+v", live)
	}
	clock.Set(at("09:30"))
	svc.checkAlerts()
	if len(*published) != 1 {
		t.Errorf("alerts off after the reload, still: %+v", *published)
	}
}

// In a cluster only the node that raises alerts publishes them; another
// node notes them as raised, so that when it starts raising (it became
// the leader) it does not raise the same stretch again.
func TestOnlyTheRaisingNodePublishesAlerts(t *testing.T) {
	clock := testclock.At(at("08:40"))
	svc, published := liveService(t, clock)
	raising := false
	svc.SetRaisesAlerts(func() bool { return raising })
	svc.HandleEvent(stateEvent("1001", "08:00", "logged_out", "available", ""))
	svc.HandleEvent(stateEvent("1001", "08:30", "available", "paused", "coffee"))
	svc.checkAlerts()
	if len(*published) != 0 || gather(t, svc.Collector())["hotline_adherence_alerts_total"] != 0 {
		t.Fatalf("a node that does not raise alerts published %+v", *published)
	}
	raising = true
	svc.checkAlerts()
	if len(*published) != 0 {
		t.Fatalf("the stretch noted before was raised again: %+v", *published)
	}
	// A new stretch out of adherence is raised.
	svc.HandleEvent(stateEvent("1001", "08:45", "paused", "available", ""))
	svc.HandleEvent(stateEvent("1001", "08:50", "available", "paused", "coffee"))
	clock.Set(at("09:00"))
	svc.checkAlerts()
	if len(*published) != 1 || (*published)[0].Agent != "1001" {
		t.Fatalf("published %+v, want the new stretch once", *published)
	}
}
