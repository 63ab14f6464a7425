package quality

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// Store is what the review needs of the records.
type Store interface {
	ReviewCandidates(ctx context.Context, from, to time.Time) ([]store.ReviewCandidate, error)
	RecordingOf(ctx context.Context, callID string) (store.Recording, error)
	SaveReview(ctx context.Context, r store.Review) (store.Review, error)
	Reviews(ctx context.Context, f store.ReviewFilter) ([]store.Review, error)
	AcknowledgeReview(ctx context.Context, id int64, agent string, at time.Time) (store.Review, error)
}

// Deps are the Service's parts.
type Deps struct {
	// Store returns the store, nil while there is none (no database
	// configured, or not opened yet).
	Store func() Store
	Forms []Form
	Rules Rules
	// Teams maps a team to its agents, for the team score.
	Teams map[string][]string
	// Now is the server's clock.
	Now func() time.Time
	// Location is the report time zone months are counted in.
	Location *time.Location
	Audit    func(store.AuditEntry)
	Scores   *Gauges // nil: no Prometheus series
	Log      *slog.Logger
}

// Service is the quality review behind the HTTP API, the supervisor
// console and the agent panel (web.ReviewControl).
type Service struct{ d Deps }

var _ web.ReviewControl = (*Service)(nil)

// New builds the Service.
func New(d Deps) (*Service, error) {
	if d.Store == nil || d.Now == nil {
		return nil, errors.New("quality: store and clock are required")
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Audit == nil {
		d.Audit = func(store.AuditEntry) {}
	}
	return &Service{d: d}, nil
}

func (s *Service) store() (Store, error) {
	st := s.d.Store()
	if st == nil {
		return nil, fmt.Errorf("%w: no record store", web.ErrUnavailable)
	}
	return st, nil
}

// Forms lists the evaluation forms.
func (s *Service) Forms() any { return s.d.Forms }

// QueueItem is a call of the review queue with its review, once done.
type QueueItem struct {
	Item
	Form     string   `json:"form"`
	ReviewID int64    `json:"review_id,omitempty"`
	Score    *float64 `json:"score,omitempty"`
}

// QueueView is a month's review queue.
type QueueView struct {
	Month    string      `json:"month"`
	Total    int         `json:"total"`
	Reviewed int         `json:"reviewed"`
	Items    []QueueItem `json:"items"`
}

// ReviewQueue is the month's review queue: the sample and the flagged
// calls, each marked with its review once saved.
func (s *Service) ReviewQueue(ctx context.Context, m web.Month) (any, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	cands, err := st.ReviewCandidates(ctx, m.From, m.To)
	if err != nil {
		return nil, mapStoreError(err)
	}
	calls := make([]Call, 0, len(cands))
	for _, c := range cands {
		calls = append(calls, Call{
			CallID: c.CallID, Agent: c.Agent, Queue: c.Queue, Started: c.Started,
			DurationSeconds: c.Duration.Seconds(), SurveyScore: c.SurveyScore, Category: c.Category,
		})
	}
	done, err := st.Reviews(ctx, store.ReviewFilter{From: m.From, To: m.To})
	if err != nil {
		return nil, mapStoreError(err)
	}
	byCall := make(map[string]store.Review, len(done))
	for _, r := range done {
		byCall[r.CallID] = r
	}
	view := QueueView{Month: m.Key, Items: []QueueItem{}}
	for _, it := range Queue(calls, m.Key, s.d.Rules) {
		qi := QueueItem{Item: it}
		if f, ok := FormFor(s.d.Forms, it.Queue); ok {
			qi.Form = f.ID
		}
		if r, ok := byCall[it.CallID]; ok {
			score := r.Score
			qi.ReviewID, qi.Score = r.ID, &score
			view.Reviewed++
		}
		view.Items = append(view.Items, qi)
	}
	view.Total = len(view.Items)
	return view, nil
}

// SaveReview scores a filled form and saves it. Only a recorded call can
// be reviewed: the reviewer must have heard it.
func (s *Service) SaveReview(ctx context.Context, in web.ReviewInput, reviewer string) (any, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	rec, err := st.RecordingOf(ctx, in.CallID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: call %s was not recorded (or its recording was deleted): only recorded calls are reviewed", web.ErrUnprocessable, in.CallID)
	}
	if err != nil {
		return nil, mapStoreError(err)
	}
	form, err := s.formFor(in.Form, rec.Queue)
	if err != nil {
		return nil, err
	}
	res, err := Score(form, in.Answers)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", web.ErrUnprocessable, err)
	}
	saved, err := st.SaveReview(ctx, store.Review{
		CallID: rec.CallID, Agent: rec.Agent, Queue: rec.Queue, Form: form.ID, Answers: in.Answers,
		Score: res.Score, Raw: res.Raw, CriticalFailed: res.CriticalFailed, Comment: in.Comment,
		Reviewer: reviewer, Started: rec.Started, Reviewed: s.d.Now(),
	})
	if errors.Is(err, store.ErrReviewExists) {
		return nil, fmt.Errorf("%w: call %s was reviewed already", web.ErrConflict, in.CallID)
	}
	if err != nil {
		return nil, mapStoreError(err)
	}
	s.audit(reviewer, "quality review", saved)
	s.d.Scores.reviewed(form.ID)
	s.refreshSoon(st)
	s.d.Log.Info("quality review saved", "call", saved.CallID, "agent", saved.Agent, "form", form.ID, "score", saved.Score, "reviewer", reviewer)
	return saved, nil
}

func (s *Service) formFor(id, queue string) (Form, error) {
	if id == "" {
		f, ok := FormFor(s.d.Forms, queue)
		if !ok {
			return Form{}, fmt.Errorf("%w: no evaluation form covers queue %q", web.ErrUnprocessable, queue)
		}
		return f, nil
	}
	for _, f := range s.d.Forms {
		if f.ID == id {
			return f, nil
		}
	}
	return Form{}, fmt.Errorf("%w: form: no form %q", web.ErrInvalid, id)
}

// Reviews lists the month's reviews, of one agent or all.
func (s *Service) Reviews(ctx context.Context, m web.Month, agent string) (any, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	list, err := st.Reviews(ctx, store.ReviewFilter{From: m.From, To: m.To, Agent: agent})
	return list, mapStoreError(err)
}

// AcknowledgeReview records that the agent read their review.
func (s *Service) AcknowledgeReview(ctx context.Context, id int64, agent string) (any, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	r, err := st.AcknowledgeReview(ctx, id, agent, s.d.Now())
	if err != nil {
		return nil, mapStoreError(err)
	}
	s.audit("agent:"+agent, "quality acknowledge", r)
	return r, nil
}

func (s *Service) audit(actor, action string, r store.Review) {
	detail, _ := json.Marshal(map[string]any{"agent": r.Agent, "form": r.Form, "score": r.Score})
	s.d.Audit(store.AuditEntry{
		At: s.d.Now(), Actor: actor, Agent: r.Agent, Action: action, Target: r.CallID,
		Detail: string(detail), Result: "ok",
	})
}

func mapStoreError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %v", web.ErrNotFound, err)
	case errors.Is(err, store.ErrDatabaseUnavailable):
		return fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	}
	return err
}
