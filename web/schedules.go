package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
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
// results are encoded as JSON. Errors: ErrInvalid → 400, *ProblemsError →
// 400 with problems, ErrNotFound → 404, ErrConflict → 409, ErrUnavailable
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

type scheduleAPI struct {
	api
	ctl ScheduleControl
	loc *time.Location
	now func() time.Time
}

// WithSchedules adds the schedule API (supervisor role; an agent may read
// its own day).
func (s *Server) WithSchedules(ctl ScheduleControl, tokens []Token, loc *time.Location) {
	a := &scheduleAPI{api: api{tokens: tokens}, ctl: ctl, loc: loc, now: s.now}
	s.mux.HandleFunc("GET /api/v1/shifts", a.auth(RoleSupervisor, a.list))
	s.mux.HandleFunc("POST /api/v1/shifts", a.auth(RoleSupervisor, a.create))
	s.mux.HandleFunc("POST /api/v1/shifts/import", a.auth(RoleSupervisor, a.importCSV))
	s.mux.HandleFunc("GET /api/v1/shifts/{id}", a.auth(RoleSupervisor, a.get))
	s.mux.HandleFunc("PUT /api/v1/shifts/{id}", a.auth(RoleSupervisor, a.update))
	s.mux.HandleFunc("DELETE /api/v1/shifts/{id}", a.auth(RoleSupervisor, a.remove))
	s.mux.HandleFunc("GET /api/v1/adherence", a.auth(RoleSupervisor, a.live))
	s.mux.HandleFunc("GET /api/v1/agents/{id}/schedule", a.auth(RoleAgent, a.agentDay))
}

func (a *scheduleAPI) list(w http.ResponseWriter, r *http.Request, _ Token) {
	q, err := parseReportQuery(r, a.loc, a.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.ListShifts(r.Context(), ShiftQuery{From: q.From, To: q.To, Agent: r.URL.Query().Get("agent")})
	writeScheduleResult(w, http.StatusOK, out, err)
}

func (a *scheduleAPI) get(w http.ResponseWriter, r *http.Request, _ Token) {
	if id, ok := pathID(w, r); ok {
		out, err := a.ctl.Shift(r.Context(), id)
		writeScheduleResult(w, http.StatusOK, out, err)
	}
}

func (a *scheduleAPI) create(w http.ResponseWriter, r *http.Request, t Token) {
	in, err := readShiftInput(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.CreateShift(r.Context(), in, t.Name)
	writeScheduleResult(w, http.StatusCreated, out, err)
}

func (a *scheduleAPI) update(w http.ResponseWriter, r *http.Request, t Token) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	in, err := readShiftInput(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := a.ctl.UpdateShift(r.Context(), id, in, t.Name)
	writeScheduleResult(w, http.StatusOK, out, err)
}

func (a *scheduleAPI) remove(w http.ResponseWriter, r *http.Request, t Token) {
	if id, ok := pathID(w, r); ok {
		if err := a.ctl.DeleteShift(r.Context(), id, t.Name); err != nil {
			writeScheduleResult(w, 0, nil, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *scheduleAPI) importCSV(w http.ResponseWriter, r *http.Request, t Token) {
	replace := false
	if v := r.URL.Query().Get("replace"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "replace: want true or false")
			return
		}
		replace = b
	}
	out, err := a.ctl.ImportShifts(r.Context(), http.MaxBytesReader(w, r.Body, maxScheduleCSV), replace, t.Name)
	writeScheduleResult(w, http.StatusCreated, out, err)
}

func (a *scheduleAPI) live(w http.ResponseWriter, r *http.Request, _ Token) {
	out, err := a.ctl.LiveAdherence(r.Context())
	writeScheduleResult(w, http.StatusOK, out, err)
}

func (a *scheduleAPI) agentDay(w http.ResponseWriter, r *http.Request, t Token) {
	id := r.PathValue("id")
	if !mayActAs(t, id) {
		writeError(w, http.StatusForbidden, "an agent token reads only its own agent")
		return
	}
	day := a.now().In(a.loc)
	if v := r.URL.Query().Get("date"); v != "" {
		d, err := time.ParseInLocation("2006-01-02", v, a.loc)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("date: want YYYY-MM-DD, got %q", v))
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

// writeScheduleResult is writeResult with the refusal of a whole file and
// conflicts.
func writeScheduleResult(w http.ResponseWriter, code int, out any, err error) {
	var pe *ProblemsError
	switch {
	case errors.As(err, &pe):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": pe.Error(), "problems": pe.Problems})
	case errors.Is(err, ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeResult(w, code, out, err)
	}
}
