package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// Month is a calendar month in the report time zone: [From, To).
type Month struct {
	Key      string // "2026-12"
	From, To time.Time
}

// ReviewInput is a filled evaluation form as the API receives it. Form
// may be left out: the form for the call's queue is used.
type ReviewInput struct {
	CallID  string         `json:"call_id"`
	Form    string         `json:"form"`
	Answers map[string]int `json:"answers"`
	Comment string         `json:"comment"`
}

// ReviewControl is the quality review (package quality). Errors map like
// the notices': webkit.ErrInvalid → 400, webkit.ErrNotFound → 404, webkit.ErrConflict → 409
// (the call was reviewed already), webkit.ErrUnprocessable → 422 (the call was
// not recorded, or the answers do not fit the form), webkit.ErrUnavailable → 503.
type ReviewControl interface {
	Forms() any
	ReviewQueue(ctx context.Context, m Month) (any, error)
	SaveReview(ctx context.Context, in ReviewInput, reviewer string) (any, error)
	Reviews(ctx context.Context, m Month, agent string) (any, error)
	AcknowledgeReview(ctx context.Context, id int64, agent string) (any, error)
	Scores(ctx context.Context, m Month) (any, error)
}

// maxReviewBody bounds a filled form: answers and a comment.
const maxReviewBody = 64 << 10

// Reviews serves the quality review: forms, the month's queue, saving,
// listing and acknowledging reviews, the scores.
type Reviews struct {
	webkit.Guard
	ctl ReviewControl
	loc *time.Location
	now func() time.Time
}

// NewReviews serves ctl to the holders of tokens; months are read in loc
// (UTC when nil), this month by the clock now.
func NewReviews(ctl ReviewControl, tokens []webkit.Token, loc *time.Location, now func() time.Time) *Reviews {
	if loc == nil {
		loc = time.UTC
	}
	return &Reviews{Guard: webkit.Guard{Tokens: tokens}, ctl: ctl, loc: loc, now: now}
}

// Routes adds the quality-review API: forms, the month's review queue,
// saving a review and the scores (supervisor role); an agent token lists
// and acknowledges its own agent's reviews.
func (a *Reviews) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /api/v1/reviews/forms", a.Auth(webkit.RoleSupervisor, a.Forms))
	mux.HandleFunc("GET /api/v1/reviews/queue", a.Auth(webkit.RoleSupervisor, a.Queue))
	mux.HandleFunc("GET /api/v1/reviews/scores", a.Auth(webkit.RoleSupervisor, a.Scores))
	mux.HandleFunc("GET /api/v1/reviews", a.Auth(webkit.RoleAgent, a.List))
	mux.HandleFunc("POST /api/v1/reviews", a.Auth(webkit.RoleSupervisor, a.Save))
	mux.HandleFunc("POST /api/v1/reviews/{id}/acknowledge", a.Auth(webkit.RoleAgent, a.Acknowledge))
}

// month reads ?month=YYYY-MM, the current month by default.
func (a *Reviews) month(r *http.Request) (Month, error) {
	v := strings.TrimSpace(r.URL.Query().Get("month"))
	var start time.Time
	if v == "" {
		now := a.now().In(a.loc)
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, a.loc)
	} else {
		t, err := time.ParseInLocation("2006-01", v, a.loc)
		if err != nil {
			return Month{}, fmt.Errorf("%w: month %q: want YYYY-MM", webkit.ErrInvalid, v)
		}
		start = t
	}
	return Month{Key: start.Format("2006-01"), From: start, To: start.AddDate(0, 1, 0)}, nil
}

// Forms answers the evaluation forms.
func (a *Reviews) Forms(w http.ResponseWriter, _ *http.Request, _ webkit.Token) {
	webkit.WriteJSON(w, http.StatusOK, a.ctl.Forms())
}

// Queue answers the month's review queue.
func (a *Reviews) Queue(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	m, err := a.month(r)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.ReviewQueue(r.Context(), m)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

// Scores answers the month's scores.
func (a *Reviews) Scores(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	m, err := a.month(r)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.Scores(r.Context(), m)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

// List gives a supervisor any agent's reviews (?agent= filters) and an
// agent token its own agent's only.
func (a *Reviews) List(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	m, err := a.month(r)
	if err != nil {
		webkit.WriteResult(w, 0, nil, err)
		return
	}
	agent := strings.TrimSpace(r.URL.Query().Get("agent"))
	if t.Role == webkit.RoleAgent {
		if agent != "" && agent != t.Agent {
			webkit.WriteError(w, http.StatusForbidden, "an agent token sees only its own agent's reviews")
			return
		}
		agent = t.Agent
	}
	out, err := a.ctl.Reviews(r.Context(), m, agent)
	webkit.WriteResult(w, http.StatusOK, out, err)
}

// Save stores a filled form under the token's name.
func (a *Reviews) Save(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	var in ReviewInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReviewBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	in.CallID = strings.TrimSpace(in.CallID)
	switch {
	case in.CallID == "" || len(in.CallID) > 255:
		webkit.WriteError(w, http.StatusBadRequest, "call_id: want the reviewed call's id (1 to 255 characters)")
		return
	case len(in.Answers) == 0:
		webkit.WriteError(w, http.StatusBadRequest, "answers: want an object of question id → value")
		return
	case len(in.Comment) > 4000:
		webkit.WriteError(w, http.StatusBadRequest, "comment: at most 4000 bytes")
		return
	}
	out, err := a.ctl.SaveReview(r.Context(), in, t.Name)
	writeReviewResult(w, http.StatusCreated, out, err)
}

// Acknowledge: an agent (token or panel) acknowledges its own review.
func (a *Reviews) Acknowledge(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id, ok := webkit.PathID(w, r)
	if !ok {
		return
	}
	if t.Role != webkit.RoleAgent {
		webkit.WriteError(w, http.StatusForbidden, "only the reviewed agent acknowledges a review")
		return
	}
	out, err := a.ctl.AcknowledgeReview(r.Context(), id, t.Agent)
	writeReviewResult(w, http.StatusOK, out, err)
}

func writeReviewResult(w http.ResponseWriter, code int, out any, err error) {
	if errors.Is(err, webkit.ErrConflict) {
		webkit.WriteError(w, http.StatusConflict, err.Error())
		return
	}
	webkit.WriteResult(w, code, out, err)
}
