package quality

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// memStore keeps recordings and reviews in memory, as the store would.
type memStore struct {
	recordings map[string]store.Recording
	cands      []store.ReviewCandidate
	reviews    []store.Review
	down       bool
}

var errDown = fmt.Errorf("mem: %w", store.ErrDatabaseUnavailable)

func (m *memStore) ReviewCandidates(context.Context, time.Time, time.Time) ([]store.ReviewCandidate, error) {
	if m.down {
		return nil, errDown
	}
	return m.cands, nil
}
func (m *memStore) RecordingOf(_ context.Context, id string) (store.Recording, error) {
	if m.down {
		return store.Recording{}, errDown
	}
	r, ok := m.recordings[id]
	if !ok {
		return r, store.ErrNotFound
	}
	return r, nil
}
func (m *memStore) SaveReview(_ context.Context, r store.Review) (store.Review, error) {
	for _, x := range m.reviews {
		if x.CallID == r.CallID {
			return r, store.ErrReviewExists
		}
	}
	r.ID = int64(len(m.reviews) + 1)
	m.reviews = append(m.reviews, r)
	return r, nil
}
func (m *memStore) Reviews(_ context.Context, f store.ReviewFilter) ([]store.Review, error) {
	var out []store.Review
	for _, r := range m.reviews {
		if f.Agent == "" || r.Agent == f.Agent {
			out = append(out, r)
		}
	}
	return out, nil
}
func (m *memStore) AcknowledgeReview(_ context.Context, id int64, agent string, at time.Time) (store.Review, error) {
	for i, r := range m.reviews {
		if r.ID == id && r.Agent == agent {
			m.reviews[i].Acknowledged = at
			return m.reviews[i], nil
		}
	}
	return store.Review{}, store.ErrNotFound
}

var now = time.Date(2026, 5, 20, 10, 0, 0, 0, time.UTC)

func newTestService(t *testing.T, st *memStore) (*Service, *[]store.AuditEntry) {
	t.Helper()
	var audit []store.AuditEntry
	reg := prometheus.NewRegistry()
	svc, err := New(Deps{
		Store: func() Store { return st }, Forms: []Form{standard},
		Rules: Rules{SamplePerAgent: 5, LowSurveyScore: 2, ComplaintCategories: []string{"complaint"}},
		Teams: map[string][]string{"north": {"1001"}}, Now: func() time.Time { return now },
		Audit: func(e store.AuditEntry) { audit = append(audit, e) }, Scores: NewGauges(reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, &audit
}

var allYes = map[string]int{"greeting": 1, "verify": 1, "tone": 4, "readback": 1}

func TestSaveReviewScoresStoresAuditsAndCounts(t *testing.T) {
	st := &memStore{recordings: map[string]store.Recording{"c1": {CallID: "c1", Agent: "1001", Queue: "billing", Started: now.Add(-time.Hour)}}}
	svc, audit := newTestService(t, st)
	out, err := svc.SaveReview(context.Background(), web.ReviewInput{CallID: "c1", Answers: allYes, Comment: "fine"}, "sup")
	if err != nil {
		t.Fatal(err)
	}
	r := out.(store.Review)
	if r.Score != 100 || r.Agent != "1001" || r.Form != "standard" || r.Reviewer != "sup" || !r.Reviewed.Equal(now) || !r.Started.Equal(now.Add(-time.Hour)) {
		t.Fatalf("saved %+v", r)
	}
	if len(*audit) != 1 || (*audit)[0].Actor != "sup" || (*audit)[0].Target != "c1" || (*audit)[0].Action != "quality review" {
		t.Fatalf("audit %+v", *audit)
	}
	if got := testutil.ToFloat64(svc.d.Scores.agent.WithLabelValues("1001")); got != 1 {
		t.Errorf("agent gauge %v", got)
	}
	if got := testutil.ToFloat64(svc.d.Scores.reviews.WithLabelValues("standard")); got != 1 {
		t.Errorf("reviews counter %v", got)
	}

	if _, err := svc.SaveReview(context.Background(), web.ReviewInput{CallID: "c1", Answers: allYes}, "sup"); !errors.Is(err, web.ErrConflict) {
		t.Errorf("second review: %v, want ErrConflict", err)
	}
	ack, err := svc.AcknowledgeReview(context.Background(), r.ID, "1001")
	if err != nil || ack.(store.Review).Acknowledged.IsZero() {
		t.Errorf("acknowledge: %v %v", ack, err)
	}
	if _, err := svc.AcknowledgeReview(context.Background(), r.ID, "1002"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("another agent's acknowledgement: %v", err)
	}
}

func TestSaveReviewRefusesWhatCannotBeReviewed(t *testing.T) {
	st := &memStore{recordings: map[string]store.Recording{"c1": {CallID: "c1", Agent: "1001", Queue: "billing"}}}
	svc, audit := newTestService(t, st)
	ctx := context.Background()
	_, err := svc.SaveReview(ctx, web.ReviewInput{CallID: "nope", Answers: allYes}, "sup")
	if !errors.Is(err, web.ErrUnprocessable) {
		t.Errorf("a call without a recording: %v, want ErrUnprocessable", err)
	}
	if _, err := svc.SaveReview(ctx, web.ReviewInput{CallID: "c1", Answers: map[string]int{"greeting": 1}}, "sup"); !errors.Is(err, web.ErrUnprocessable) {
		t.Errorf("answers missing: %v", err)
	}
	if _, err := svc.SaveReview(ctx, web.ReviewInput{CallID: "c1", Form: "other", Answers: allYes}, "sup"); !errors.Is(err, web.ErrInvalid) {
		t.Errorf("unknown form: %v", err)
	}
	st.down = true
	if _, err := svc.SaveReview(ctx, web.ReviewInput{CallID: "c1", Answers: allYes}, "sup"); !errors.Is(err, web.ErrUnavailable) {
		t.Errorf("database down: %v", err)
	}
	if _, err := svc.ReviewQueue(ctx, svc.CurrentMonth()); !errors.Is(err, web.ErrUnavailable) {
		t.Errorf("queue with the database down: %v", err)
	}
	if len(*audit) != 0 {
		t.Errorf("refusals audited as reviews: %+v", *audit)
	}
	none, _ := New(Deps{Store: func() Store { return nil }, Now: time.Now})
	if _, err := none.Reviews(ctx, none.CurrentMonth(), ""); !errors.Is(err, web.ErrUnavailable) {
		t.Errorf("without a store: %v", err)
	}
}

func TestReviewQueueMarksReviewedCalls(t *testing.T) {
	st := &memStore{
		recordings: map[string]store.Recording{"c1": {CallID: "c1", Agent: "1001", Queue: "billing"}},
		cands: []store.ReviewCandidate{
			{CallID: "c1", Agent: "1001", Queue: "billing", Started: now, Duration: time.Minute},
			{CallID: "c2", Agent: "1001", Queue: "billing", Started: now, SurveyScore: 1},
		},
	}
	svc, _ := newTestService(t, st)
	if _, err := svc.SaveReview(context.Background(), web.ReviewInput{CallID: "c1", Answers: allYes}, "sup"); err != nil {
		t.Fatal(err)
	}
	out, err := svc.ReviewQueue(context.Background(), svc.CurrentMonth())
	if err != nil {
		t.Fatal(err)
	}
	v := out.(QueueView)
	if v.Month != "2026-05" || v.Total != 2 || v.Reviewed != 1 {
		t.Fatalf("queue %+v", v)
	}
	for _, it := range v.Items {
		switch it.CallID {
		case "c1":
			if it.Score == nil || *it.Score != 100 || it.Form != "standard" || it.DurationSeconds != 60 {
				t.Errorf("c1 %+v", it)
			}
		case "c2":
			if it.Score != nil || it.Reasons[0] != ReasonLowSurvey {
				t.Errorf("c2 %+v", it)
			}
		}
	}
}

func TestMonitoringScoresAreEachAgentsMean(t *testing.T) {
	st := &memStore{reviews: []store.Review{{Agent: "1001", Score: 80}, {Agent: "1001", Score: 60}, {Agent: "1002", Score: 0}}}
	svc, _ := newTestService(t, st)
	got, err := svc.MonitoringScores(context.Background(), now.AddDate(0, -1, 0), now)
	if err != nil || len(got) != 2 || got["1001"] != 70 || got["1002"] != 0 {
		t.Fatalf("scores %v, %v", got, err)
	}
}

// Every series the quality review exports is described in the manual.
func TestEverySeriesIsDocumented(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := NewGauges(reg)
	g.reviewed("standard")
	g.set(ScoresView{All: MonthScore{Reviews: 1, Mean: 80}, Agents: []MonthScore{{Name: "1001", Reviews: 1, Mean: 80}},
		Teams: []MonthScore{{Name: "north", Reviews: 1, Mean: 80}, {Name: "south"}}})
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 4 {
		t.Fatalf("%d families", len(families))
	}
	for _, f := range families {
		if !strings.Contains(string(doc), "`"+f.GetName()+"`") {
			t.Errorf("%s is not in docs/metrics.md", f.GetName())
		}
	}
	if got := testutil.ToFloat64(g.team.WithLabelValues("north")); got != 0.8 {
		t.Errorf("team north %v", got)
	}
	if n := testutil.CollectAndCount(g.team); n != 1 {
		t.Errorf("%d team series: a team without reviews has none", n)
	}
}
