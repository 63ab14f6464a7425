package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
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
// the notices': ErrInvalid → 400, ErrNotFound → 404, ErrConflict → 409
// (the call was reviewed already), ErrUnprocessable → 422 (the call was
// not recorded, or the answers do not fit the form), ErrUnavailable → 503.
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

type reviewAPI struct {
	api
	ctl ReviewControl
	loc *time.Location
	now func() time.Time
}

// WithReviews adds the quality-review API: forms, the month's review
// queue, saving a review and the scores (supervisor role); an agent token
// lists and acknowledges its own agent's reviews.
func (s *Server) WithReviews(ctl ReviewControl, tokens []Token, loc *time.Location) {
	a := s.newReviewAPI(ctl, tokens, loc)
	s.mux.HandleFunc("GET /api/v1/reviews/forms", a.auth(RoleSupervisor, a.forms))
	s.mux.HandleFunc("GET /api/v1/reviews/queue", a.auth(RoleSupervisor, a.queue))
	s.mux.HandleFunc("GET /api/v1/reviews/scores", a.auth(RoleSupervisor, a.scores))
	s.mux.HandleFunc("GET /api/v1/reviews", a.auth(RoleAgent, a.list))
	s.mux.HandleFunc("POST /api/v1/reviews", a.auth(RoleSupervisor, a.save))
	s.mux.HandleFunc("POST /api/v1/reviews/{id}/acknowledge", a.auth(RoleAgent, a.acknowledge))
}

func (s *Server) newReviewAPI(ctl ReviewControl, tokens []Token, loc *time.Location) *reviewAPI {
	if loc == nil {
		loc = time.UTC
	}
	return &reviewAPI{api: api{tokens: tokens}, ctl: ctl, loc: loc, now: s.now}
}

// month reads ?month=YYYY-MM, the current month by default.
func (a *reviewAPI) month(r *http.Request) (Month, error) {
	v := strings.TrimSpace(r.URL.Query().Get("month"))
	var start time.Time
	if v == "" {
		now := a.now().In(a.loc)
		start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, a.loc)
	} else {
		t, err := time.ParseInLocation("2006-01", v, a.loc)
		if err != nil {
			return Month{}, fmt.Errorf("%w: month %q: want YYYY-MM", ErrInvalid, v)
		}
		start = t
	}
	return Month{Key: start.Format("2006-01"), From: start, To: start.AddDate(0, 1, 0)}, nil
}

func (a *reviewAPI) forms(w http.ResponseWriter, _ *http.Request, _ Token) {
	writeJSON(w, http.StatusOK, a.ctl.Forms())
}

func (a *reviewAPI) queue(w http.ResponseWriter, r *http.Request, _ Token) {
	m, err := a.month(r)
	if err != nil {
		writeResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.ReviewQueue(r.Context(), m)
	writeResult(w, http.StatusOK, out, err)
}

func (a *reviewAPI) scores(w http.ResponseWriter, r *http.Request, _ Token) {
	m, err := a.month(r)
	if err != nil {
		writeResult(w, 0, nil, err)
		return
	}
	out, err := a.ctl.Scores(r.Context(), m)
	writeResult(w, http.StatusOK, out, err)
}

// list gives a supervisor any agent's reviews (?agent= filters) and an
// agent token its own agent's only.
func (a *reviewAPI) list(w http.ResponseWriter, r *http.Request, t Token) {
	m, err := a.month(r)
	if err != nil {
		writeResult(w, 0, nil, err)
		return
	}
	agent := strings.TrimSpace(r.URL.Query().Get("agent"))
	if t.Role == RoleAgent {
		if agent != "" && agent != t.Agent {
			writeError(w, http.StatusForbidden, "an agent token sees only its own agent's reviews")
			return
		}
		agent = t.Agent
	}
	out, err := a.ctl.Reviews(r.Context(), m, agent)
	writeResult(w, http.StatusOK, out, err)
}

func (a *reviewAPI) save(w http.ResponseWriter, r *http.Request, t Token) {
	var in ReviewInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReviewBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	in.CallID = strings.TrimSpace(in.CallID)
	switch {
	case in.CallID == "" || len(in.CallID) > 255:
		writeError(w, http.StatusBadRequest, "call_id: want the reviewed call's id (1 to 255 characters)")
		return
	case len(in.Answers) == 0:
		writeError(w, http.StatusBadRequest, "answers: want an object of question id → value")
		return
	case len(in.Comment) > 4000:
		writeError(w, http.StatusBadRequest, "comment: at most 4000 bytes")
		return
	}
	out, err := a.ctl.SaveReview(r.Context(), in, t.Name)
	writeReviewResult(w, http.StatusCreated, out, err)
}

// acknowledge: an agent (token or panel) acknowledges its own review.
func (a *reviewAPI) acknowledge(w http.ResponseWriter, r *http.Request, t Token) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if t.Role != RoleAgent {
		writeError(w, http.StatusForbidden, "only the reviewed agent acknowledges a review")
		return
	}
	out, err := a.ctl.AcknowledgeReview(r.Context(), id, t.Agent)
	writeReviewResult(w, http.StatusOK, out, err)
}

func writeReviewResult(w http.ResponseWriter, code int, out any, err error) {
	if errors.Is(err, ErrConflict) {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	writeResult(w, code, out, err)
}
