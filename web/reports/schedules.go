package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// ShiftInput is a shift as the API receives it; times are RFC 3339.
type ShiftInput struct {
	Agent    string       `json:"agent"`
	Start    time.Time    `json:"start"`
	End      time.Time    `json:"end"`
	Activity string       `json:"activity"`
	Breaks   []BreakInput `json:"breaks"`
	Note     string       `json:"note"`
}

// BreakInput is a planned break inside a shift (activity default break).
type BreakInput struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Activity string    `json:"activity"`
}

// ShiftQuery selects shifts overlapping [From, To), of Agent when set.
type ShiftQuery struct {
	From, To time.Time
	Agent    string
}

// LineProblem is one problem of an uploaded file, by line.
type LineProblem struct {
	Line    int    `json:"line"`
	Problem string `json:"problem"`
}

// ProblemsError refuses an upload whole, with every problem by line; the
// API answers 400 with them.
type ProblemsError struct {
	What     string
	Problems []LineProblem
}

func (e *ProblemsError) Error() string {
	return fmt.Sprintf("%s refused: %d problems, nothing was saved", e.What, len(e.Problems))
}

// ScheduleControl manages shifts and answers live adherence questions;
// results are encoded as JSON. Errors: webkit.ErrInvalid → 400, *ProblemsError →
// 400 with problems, webkit.ErrNotFound → 404, webkit.ErrConflict → 409, webkit.ErrUnavailable
// → 503.
type ScheduleControl interface {
	ListShifts(ctx context.Context, q ShiftQuery) (any, error)
	Shift(ctx context.Context, id int64) (any, error)
	CreateShift(ctx context.Context, in ShiftInput, by string) (any, error)
	UpdateShift(ctx context.Context, id int64, in ShiftInput, by string) (any, error)
	DeleteShift(ctx context.Context, id int64, by string) error
	ImportShifts(ctx context.Context, csv io.Reader, replace bool, by string) (any, error)
	// LiveAdherence: every agent's adherence now and today so far, and
	// the teams'.
	LiveAdherence(ctx context.Context) (any, error)
	// AgentSchedule: one agent's shifts of the day that contains day, with
	// its live adherence.
	AgentSchedule(ctx context.Context, agent string, day time.Time) (any, error)
}

// maxScheduleCSV bounds an import: a month for a few hundred agents.
const maxScheduleCSV = 4 << 20

// Schedules serves the shifts and adherence.
type Schedules struct {
	webkit.Guard
	ctl ScheduleControl
	loc *time.Location
	now func() time.Time
}

// NewSchedules serves ctl to the holders of tokens; days and default
// windows are read in loc by the clock now.
func NewSchedules(ctl ScheduleControl, tokens []webkit.Token, loc *time.Location, now func() time.Time) *Schedules {
	return &Schedules{Guard: webkit.Guard{Tokens: tokens}, ctl: ctl, loc: loc, now: now}
}

// Routes adds the schedule API (supervisor role; an agent may read its
// own day).
func (a *Schedules) Routes(mux webkit.Registrar) {
	mux.HandleFunc("GET /api/v1/shifts", a.Auth(webkit.RoleSupervisor, a.List))
	mux.HandleFunc("POST /api/v1/shifts", a.Auth(webkit.RoleSupervisor, a.Create))
	mux.HandleFunc("POST /api/v1/shifts/import", a.Auth(webkit.RoleSupervisor, a.ImportCSV))
	mux.HandleFunc("GET /api/v1/shifts/{id}", a.Auth(webkit.RoleSupervisor, a.Get))
	mux.HandleFunc("PUT /api/v1/shifts/{id}", a.Auth(webkit.RoleSupervisor, a.Update))
	mux.HandleFunc("DELETE /api/v1/shifts/{id}", a.Auth(webkit.RoleSupervisor, a.Remove))
	mux.HandleFunc("GET /api/v1/adherence", a.Auth(webkit.RoleSupervisor, a.Live))
	mux.HandleFunc("GET /api/v1/agents/{id}/schedule", a.Auth(webkit.RoleAgent, a.AgentDay))
}

// List answers the shifts of a window (?from, ?to, ?agent).
func (a *Schedules) List(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	q, err := ParseQuery(r, a.loc, a.now())
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.ListShifts(r.Context(), ShiftQuery{From: q.From, To: q.To, Agent: r.URL.Query().Get("agent")})
	writeScheduleResult(w, http.StatusOK, out, err)
}

// Get answers shift {id}.
func (a *Schedules) Get(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	if id, ok := webkit.PathID(w, r); ok {
		out, err := a.ctl.Shift(r.Context(), id)
		writeScheduleResult(w, http.StatusOK, out, err)
	}
}

// Create adds a shift as the token.
func (a *Schedules) Create(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	in, err := readShiftInput(w, r)
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.CreateShift(r.Context(), in, t.Name)
	writeScheduleResult(w, http.StatusCreated, out, err)
}

// Update replaces shift {id} as the token.
func (a *Schedules) Update(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id, ok := webkit.PathID(w, r)
	if !ok {
		return
	}
	in, err := readShiftInput(w, r)
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.UpdateShift(r.Context(), id, in, t.Name)
	writeScheduleResult(w, http.StatusOK, out, err)
}

// Remove deletes shift {id} as the token.
func (a *Schedules) Remove(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	if id, ok := webkit.PathID(w, r); ok {
		if err := a.ctl.DeleteShift(r.Context(), id, t.Name); err != nil {
			writeScheduleResult(w, 0, nil, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// ImportCSV adds (or with ?replace=true replaces) shifts from a CSV file.
func (a *Schedules) ImportCSV(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	replace := false
	if v := r.URL.Query().Get("replace"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, "replace: want true or false")
			return
		}
		replace = b
	}
	out, err := a.ctl.ImportShifts(r.Context(), http.MaxBytesReader(w, r.Body, maxScheduleCSV), replace, t.Name)
	writeScheduleResult(w, http.StatusCreated, out, err)
}

// Live answers every agent's adherence now.
func (a *Schedules) Live(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	out, err := a.ctl.LiveAdherence(r.Context())
	writeScheduleResult(w, http.StatusOK, out, err)
}

// AgentDay answers one agent's shifts of a day (?date, today by default).
func (a *Schedules) AgentDay(w http.ResponseWriter, r *http.Request, t webkit.Token) {
	id := r.PathValue("id")
	if !webkit.MayActAs(t, id) {
		webkit.WriteError(w, http.StatusForbidden, "an agent token reads only its own agent")
		return
	}
	day := a.now().In(a.loc)
	if v := r.URL.Query().Get("date"); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, a.loc)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, fmt.Sprintf("date: want YYYY-MM-DD, got %q", v))
			return
		}
		day = d
	}
	out, err := a.ctl.AgentSchedule(r.Context(), id, day)
	writeScheduleResult(w, http.StatusOK, out, err)
}

func readShiftInput(w http.ResponseWriter, r *http.Request) (ShiftInput, error) {
	var in ShiftInput
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("body: %v", err)
	}
	return in, nil
}

// writeScheduleResult is webkit.WriteResult with the refusal of a whole file and
// conflicts.
func writeScheduleResult(w http.ResponseWriter, code int, out any, err error) {
	var pe *ProblemsError
	switch {
	case errors.As(err, &pe):
		webkit.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": pe.Error(), "problems": pe.Problems})
	case errors.Is(err, webkit.ErrConflict):
		webkit.WriteError(w, http.StatusConflict, err.Error())
	default:
		webkit.WriteResult(w, code, out, err)
	}
}
