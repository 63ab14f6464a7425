package workforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce/rules"
)

// maxReportRange bounds a report's period: a year of days.
const maxReportRange = 370 * 24 * time.Hour

// maxAdherenceIntervals bounds the rows of one adherence report per agent.
const maxAdherenceIntervals = 31 * 48

// Reports is the API's view of the schedule reports.
func (s *Service) Reports() web.WorkforceReports { return reports{s} }

type reports struct{ s *Service }

// AdherenceRow is one agent's (or one team's: Agent empty) adherence over
// one interval. Only agents with scheduled time in the period get rows.
type AdherenceRow struct {
	Start         time.Time    `json:"start" csv:"start"`
	End           time.Time    `json:"end" csv:"end"`
	Team          string       `json:"team,omitempty" csv:"team"`
	Agent         string       `json:"agent,omitempty" csv:"agent"`
	WorkNumber    string       `json:"work_number,omitempty" csv:"work_number"`
	ScheduledSecs float64      `json:"scheduled_seconds" csv:"scheduled_seconds"`
	AdherentSecs  float64      `json:"adherent_seconds" csv:"adherent_seconds"`
	Adherence     store.Figure `json:"adherence" csv:"adherence"`
}

// agentPeriod is what the reports need of one agent over a period: the
// shifts and the states.
type agentPeriod struct {
	shifts  []store.Shift
	history []Segment
}

// load reads the shifts overlapping [from, to) and the agents' states
// over them (up to now).
func (s *Service) load(ctx context.Context, from, to time.Time) (map[string]*agentPeriod, error) {
	if to.Sub(from) > maxReportRange {
		return nil, fmt.Errorf("%w: the period is longer than a year", web.ErrInvalid)
	}
	shifts, err := s.opts.Store.Shifts(ctx, store.ShiftFilter{From: from, To: to})
	if err != nil {
		return nil, readError(err)
	}
	out := map[string]*agentPeriod{}
	if len(shifts) == 0 {
		return out, nil
	}
	lo, hi := from, to
	for _, sh := range shifts {
		lo, hi = rules.Earlier(lo, sh.Start), rules.Later(hi, sh.End)
		p := out[sh.Agent]
		if p == nil {
			p = &agentPeriod{}
			out[sh.Agent] = p
		}
		p.shifts = append(p.shifts, sh)
	}
	states, err := s.opts.Store.AgentStates(ctx, "", lo, hi)
	if err != nil {
		return nil, readError(err)
	}
	by := map[string][]store.AgentStateRecord{}
	for _, st := range states {
		by[st.Agent] = append(by[st.Agent], st)
	}
	end := rules.Earlier(hi, s.opts.Now())
	for agent, p := range out {
		p.history = Segments(by[agent], lo, end)
	}
	return out, nil
}

func readError(err error) error {
	if errors.Is(err, store.ErrDatabaseUnavailable) {
		return fmt.Errorf("%w: the records cannot be read now; try again later: %v", web.ErrUnavailable, err)
	}
	return err
}

// Adherence measures each scheduled agent, and each team, per interval.
// Time after now is not counted as scheduled yet.
func (r reports) Adherence(ctx context.Context, q web.ReportQuery) (web.Table, error) {
	iv, err := store.ParseInterval(q.Interval)
	if err != nil {
		return web.Table{}, fmt.Errorf("%w: %v", web.ErrInvalid, err)
	}
	starts := iv.Starts(q.From, q.To, q.Location)
	if len(starts) > maxAdherenceIntervals {
		return web.Table{}, fmt.Errorf("%w: %d intervals of %s; at most %d", web.ErrInvalid, len(starts), iv, maxAdherenceIntervals)
	}
	periods, err := r.s.load(ctx, q.From, q.To)
	if err != nil {
		return web.Table{}, err
	}
	rows := r.s.adherenceRows(periods, starts, iv, q.To)
	return tableOf(rows), nil
}

func (s *Service) adherenceRows(periods map[string]*agentPeriod, starts []time.Time, iv store.Interval, to time.Time) []AdherenceRow {
	set := s.setup()
	now := s.opts.Now()
	var rows []AdherenceRow
	for _, start := range starts {
		end := rules.Earlier(iv.Next(start), to)
		upTo := rules.Earlier(end, now)
		teams := map[string]Tally{}
		for _, agent := range slices.Sorted(maps.Keys(periods)) {
			p := periods[agent]
			t := set.rules.Measure(PlanOf(p.shifts), p.history, start, upTo)
			if t.Scheduled == 0 {
				continue
			}
			a := set.agents[agent]
			rows = append(rows, adherenceRow(start, end, "", agent, a.WorkNumber, t))
			teams[AllTeam] = teams[AllTeam].Add(t)
			for _, q := range a.Queues {
				teams[q] = teams[q].Add(t)
			}
		}
		for _, team := range slices.Sorted(maps.Keys(teams)) {
			rows = append(rows, adherenceRow(start, end, team, "", "", teams[team]))
		}
	}
	return rows
}

func adherenceRow(start, end time.Time, team, agent, work string, t Tally) AdherenceRow {
	return AdherenceRow{Start: start, End: end, Team: team, Agent: agent, WorkNumber: work,
		ScheduledSecs: t.Scheduled.Seconds(), AdherentSecs: t.Adherent.Seconds(),
		Adherence: store.Ratio(t.Adherent.Seconds(), t.Scheduled.Seconds())}
}

// AttendanceRow is one agent's attendance over the report period: the
// shifts that started in it.
type AttendanceRow struct {
	Agent          string            `json:"agent" csv:"agent"`
	WorkNumber     string            `json:"work_number" csv:"work_number"`
	Scheduled      int               `json:"shifts_scheduled" csv:"shifts_scheduled"`
	Worked         int               `json:"shifts_worked" csv:"shifts_worked"`
	Missed         int               `json:"shifts_missed" csv:"shifts_missed"`
	LateLogins     int               `json:"late_logins" csv:"late_logins"`
	EarlyLogouts   int               `json:"early_logouts" csv:"early_logouts"`
	AttendanceRate store.Figure      `json:"attendance_rate" csv:"attendance_rate"`
	Shifts         []ShiftAttendance `json:"shifts" csv:"-"`
}

// Attendance counts each agent's shifts that started in [q.From, q.To):
// worked, missed, late log-ins and early log-outs.
func (r reports) Attendance(ctx context.Context, q web.ReportQuery) (web.Table, error) {
	periods, err := r.s.load(ctx, q.From, q.To)
	if err != nil {
		return web.Table{}, err
	}
	return tableOf(r.s.attendanceRows(periods, q.From, q.To)), nil
}

func (s *Service) attendanceRows(periods map[string]*agentPeriod, from, to time.Time) []AttendanceRow {
	set := s.setup()
	now := s.opts.Now()
	var rows []AttendanceRow
	for _, agent := range slices.Sorted(maps.Keys(periods)) {
		row := AttendanceRow{Agent: agent, WorkNumber: set.agents[agent].WorkNumber, Shifts: []ShiftAttendance{}}
		var t AttendanceTally
		for _, sh := range periods[agent].shifts {
			if sh.Start.Before(from) || !sh.Start.Before(to) {
				continue
			}
			a := set.rules.Attend(sh, periods[agent].history, now)
			t.Add(a)
			row.Shifts = append(row.Shifts, a)
		}
		if len(row.Shifts) == 0 {
			continue
		}
		row.Scheduled, row.Worked, row.Missed, row.LateLogins, row.EarlyLogouts = t.Scheduled, t.Worked, t.Missed, t.LateLogins, t.EarlyLogouts
		row.AttendanceRate = store.Ratio(float64(t.Worked), float64(t.Scheduled))
		rows = append(rows, row)
	}
	return rows
}

func tableOf[T any](rows []T) web.Table {
	if rows == nil {
		rows = []T{}
	}
	return web.Table{JSON: rows, CSV: func(w io.Writer) error { return store.WriteCSV(w, rows) }}
}
