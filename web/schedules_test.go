package web

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// docSchedules answers with the store's shift type and JSON shaped as the
// workforce package writes it, so the schemas are checked against it.
type docSchedules struct{}

func docShift(id int64) store.Shift {
	return store.Shift{ID: id, Agent: "1001", Start: docNow.Add(-time.Hour), End: docNow.Add(7 * time.Hour), Activity: "phones",
		Breaks:  []store.ShiftBreak{{Start: docNow.Add(2 * time.Hour), End: docNow.Add(150 * time.Minute), Activity: "lunch"}},
		Updated: docNow, UpdatedBy: "sup"}
}

func (docSchedules) ListShifts(context.Context, ShiftQuery) (any, error) {
	return []store.Shift{docShift(1)}, nil
}
func (docSchedules) Shift(_ context.Context, id int64) (any, error) {
	if id != 1 {
		return nil, fmt.Errorf("%w: shift %d", ErrNotFound, id)
	}
	return docShift(1), nil
}
func (docSchedules) CreateShift(_ context.Context, in ShiftInput, _ string) (any, error) {
	if in.Agent == "9999" {
		return nil, fmt.Errorf("%w: agent \"9999\" is not a configured agent", ErrInvalid)
	}
	if in.Agent == "1002" {
		return nil, fmt.Errorf("%w: agent 1002 already has shift 4", ErrConflict)
	}
	return docShift(2), nil
}
func (docSchedules) UpdateShift(_ context.Context, id int64, _ ShiftInput, _ string) (any, error) {
	return docShift(id), nil
}
func (docSchedules) DeleteShift(_ context.Context, id int64, _ string) error {
	if id != 1 {
		return fmt.Errorf("%w: shift %d", ErrNotFound, id)
	}
	return nil
}
func (docSchedules) ImportShifts(_ context.Context, csv io.Reader, _ bool, _ string) (any, error) {
	b, _ := io.ReadAll(csv)
	if strings.Contains(string(b), "9999") {
		return nil, &ProblemsError{What: "schedule", Problems: []LineProblem{{Line: 2, Problem: `agent "9999" is not a configured agent`}}}
	}
	return map[string]any{"created": 1, "replaced": 0, "shifts": []store.Shift{docShift(3)}}, nil
}

var docLive = map[string]any{
	"agent": "1001", "state": "paused", "reason": "meeting", "since": docNow, "planned": "phones",
	"in_adherence": false, "out_of_adherence_since": docNow, "scheduled_seconds": 3600.0,
	"adherent_seconds": 3000.0, "adherence": 0.8333, "shifts": []store.Shift{docShift(1)},
}

func (docSchedules) LiveAdherence(context.Context) (any, error) {
	return map[string]any{"at": docNow, "target": 0.92, "agents": []any{docLive},
		"teams": []any{map[string]any{"team": "all", "scheduled_seconds": 3600.0, "adherent_seconds": 3000.0, "adherence": 0.8333}}}, nil
}
func (docSchedules) AgentSchedule(_ context.Context, agent string, day time.Time) (any, error) {
	sh := docShift(1)
	return map[string]any{"agent": agent, "name": "Agent " + agent, "work_number": "2001", "date": day.Format("2006-01-02"),
		"shifts": []any{map[string]any{"id": sh.ID, "agent": sh.Agent, "start": sh.Start, "end": sh.End, "activity": sh.Activity,
			"breaks": sh.Breaks, "updated_at": sh.Updated,
			"plan":       []any{map[string]any{"start": sh.Start, "end": sh.End, "activity": "phones"}},
			"attendance": map[string]any{"shift": sh, "status": "in_progress", "first_login": sh.Start, "late": false, "late_by_seconds": 0, "early_logout": false, "early_by_seconds": 0, "logged_in_seconds": 3600}}},
		"live": docLive}, nil
}

type docWorkforceReports struct{}

func (docWorkforceReports) Adherence(_ context.Context, q ReportQuery) (Table, error) {
	rows := []map[string]any{
		{"start": q.From, "end": q.To, "agent": "1001", "work_number": "2001", "scheduled_seconds": 3600.0, "adherent_seconds": 3300.0, "adherence": 0.9167},
		{"start": q.From, "end": q.To, "team": "all", "scheduled_seconds": 0.0, "adherent_seconds": 0.0, "adherence": store.Figure(math.NaN())},
	}
	return Table{JSON: rows, CSV: func(w io.Writer) error { _, err := io.WriteString(w, "start,end,team,agent\n"); return err }}, nil
}
func (docWorkforceReports) Attendance(context.Context, ReportQuery) (Table, error) {
	rows := []map[string]any{{"agent": "1001", "work_number": "2001", "shifts_scheduled": 1, "shifts_worked": 1, "shifts_missed": 0,
		"late_logins": 1, "early_logouts": 0, "attendance_rate": 1.0, "shifts": []any{}}}
	return Table{JSON: rows, CSV: func(w io.Writer) error { _, err := io.WriteString(w, "agent\n1001\n"); return err }}, nil
}
func (docWorkforceReports) Monthly(_ context.Context, month time.Time) (Document, error) {
	nan := store.Figure(math.NaN())
	rep := map[string]any{"month": month.Format("2006-01"), "from": month, "to": month.AddDate(0, 1, 0), "monitoring_scores": false,
		"service": map[string]any{"calls": 10, "offered": 8, "answered": 7, "answered_rate": 0.7, "service_level": 0.75, "abandon_rate": 0.125,
			"complaints": 1, "complaints_resolved": 1, "survey_responses": 0, "satisfaction": nan, "survey_mean": nan, "adherence": 0.9, "adherence_target": 0.92},
		"agents": []any{map[string]any{"work_number": "2001", "agent": "1001", "name": "Agent 1001", "calls": 7, "aht_seconds": 200.0,
			"adherence": 0.9, "shifts_scheduled": 1, "shifts_worked": 1, "shifts_missed": 0, "late_logins": 0, "early_logouts": 0,
			"attendance_rate": 1.0, "monitoring_score": nan, "survey_responses": 0, "satisfaction": nan}}}
	return Document{
		Table: Table{JSON: rep, CSV: func(w io.Writer) error { _, err := io.WriteString(w, "figure,value\ncalls,10\n"); return err }},
		HTML: func(w io.Writer) error {
			_, err := io.WriteString(w, "<!doctype html><title>month</title>")
			return err
		},
	}, nil
}

var scheduleExchanges = []docExchange{
	{method: "GET", path: "/api/v1/shifts?from=2026-11-23&agent=1001", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/shifts", role: RoleAgent, want: 403},
	{method: "POST", path: "/api/v1/shifts", role: RoleSupervisor, body: `{"agent":"1001","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z","breaks":[{"start":"2026-11-24T12:00:00Z","end":"2026-11-24T12:30:00Z","activity":"lunch"}]}`, want: 201},
	{method: "POST", path: "/api/v1/shifts", role: RoleSupervisor, body: `{"agent":"9999","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, want: 400},
	{method: "POST", path: "/api/v1/shifts", role: RoleSupervisor, body: `{"agent":"1002","start":"2026-11-24T08:00:00Z","end":"2026-11-24T16:00:00Z"}`, want: 409},
	{method: "POST", path: "/api/v1/shifts", role: RoleSupervisor, body: `{"agent":"1001","colour":"red"}`, want: 400, invalid: true},
	{method: "GET", path: "/api/v1/shifts/1", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/shifts/2", role: RoleSupervisor, want: 404},
	{method: "PUT", path: "/api/v1/shifts/1", role: RoleSupervisor, body: `{"agent":"1001","start":"2026-11-24T09:00:00Z","end":"2026-11-24T17:00:00Z"}`, want: 200},
	{method: "DELETE", path: "/api/v1/shifts/1", role: RoleSupervisor, want: 204},
	{method: "DELETE", path: "/api/v1/shifts/2", role: RoleSupervisor, want: 404},
	{method: "POST", path: "/api/v1/shifts/import", role: RoleSupervisor, header: map[string]string{"Content-Type": "text/csv"}, body: "agent,date,start,end\n1001,2026-11-24,08:00,16:00\n", want: 201},
	{method: "POST", path: "/api/v1/shifts/import?replace=true", role: RoleSupervisor, header: map[string]string{"Content-Type": "text/csv"}, body: "agent,date,start,end\n9999,2026-11-24,08:00,16:00\n", want: 400},
	{method: "GET", path: "/api/v1/adherence", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/agents/1001/schedule", role: RoleAgent, want: 200},
	{method: "GET", path: "/api/v1/agents/1001/schedule?date=2026-11-23", role: RoleSupervisor, want: 200},
	{method: "GET", path: "/api/v1/agents/1002/schedule", role: RoleAgent, want: 403},
	{method: "GET", path: "/api/v1/agents/1001/schedule?date=monday", role: RoleSupervisor, want: 400},
	{method: "GET", path: "/api/v1/reports/adherence?interval=30m&from=2026-11-23", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/adherence?format=csv", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/attendance?from=2026-11", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/monthly?month=2026-11", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/monthly?month=2026-11&format=csv", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/monthly?format=html", role: RoleAdmin, want: 200},
	{method: "GET", path: "/api/v1/reports/monthly?format=pdf", role: RoleAdmin, want: 400, invalid: true},
	{method: "GET", path: "/api/v1/reports/monthly?month=november", role: RoleAdmin, want: 400},
	{method: "GET", path: "/api/v1/reports/monthly", role: RoleSupervisor, want: 403},
}

// An import refused whole answers every problem by line.
func TestScheduleImportRefusalListsProblems(t *testing.T) {
	rig := newDocServer(t)
	req := httptest.NewRequest("POST", "/api/v1/shifts/import", strings.NewReader("agent,date,start,end\n9999,2026-11-24,08:00,16:00\n"))
	req.Header.Set("Authorization", "Bearer "+docSecrets[RoleSupervisor])
	rec := httptest.NewRecorder()
	rig.s.srv.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"problems":[{"line":2,"problem":"agent \"9999\" is not a configured agent"}]`) {
		t.Fatalf("refusal: %d %s", rec.Code, rec.Body)
	}
}
