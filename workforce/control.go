package workforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
	"github.com/hotline-oss/hotline/workforce/rules"
)

// Control is the API's view of the schedules (web.ScheduleControl).
func (s *Service) Control() web.ScheduleControl { return control{s} }

type control struct{ s *Service }

// apiError maps the store's errors to the API's.
func apiError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrDatabaseUnavailable):
		return fmt.Errorf("%w: the database cannot be reached, nothing was changed; try again later: %v", web.ErrUnavailable, err)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %v", web.ErrNotFound, err)
	}
	return err
}

func (c control) ListShifts(ctx context.Context, q web.ShiftQuery) (any, error) {
	list, err := c.s.opts.Store.Shifts(ctx, store.ShiftFilter{From: q.From, To: q.To, Agent: q.Agent})
	return list, apiError(err)
}

func (c control) Shift(ctx context.Context, id int64) (any, error) {
	sh, err := c.s.opts.Store.Shift(ctx, id)
	return sh, apiError(err)
}

func (c control) shiftFrom(in web.ShiftInput, by string) (store.Shift, error) {
	sh := store.Shift{Agent: in.Agent, Start: in.Start, End: in.End, Activity: in.Activity,
		Note: in.Note, UpdatedBy: by, Updated: c.s.opts.Now()}
	for _, b := range in.Breaks {
		sh.Breaks = append(sh.Breaks, store.ShiftBreak{Start: b.Start, End: b.End, Activity: b.Activity})
	}
	sh = Normalize(sh)
	if len(sh.Note) > 512 {
		return sh, fmt.Errorf("%w: note: at most 512 bytes", web.ErrInvalid)
	}
	if problems := c.s.setup().rules.Check(sh, c.s.knownAgent); len(problems) > 0 {
		return sh, fmt.Errorf("%w: %s", web.ErrInvalid, strings.Join(problems, "; "))
	}
	return sh, nil
}

// checkOverlap refuses sh when a stored shift of its agent, other than sh
// itself, overlaps it.
func (c control) checkOverlap(ctx context.Context, sh store.Shift) error {
	near, err := c.s.opts.Store.Shifts(ctx, store.ShiftFilter{From: sh.Start, To: sh.End, Agent: sh.Agent})
	if err != nil {
		return apiError(err)
	}
	r := c.s.setup().rules
	for _, o := range near {
		if o.ID != sh.ID && Overlap(o, sh) {
			return fmt.Errorf("%w: agent %s already has shift %d at %s", web.ErrConflict, o.Agent, o.ID, r.Span(o.Start, o.End))
		}
	}
	return nil
}

func (c control) CreateShift(ctx context.Context, in web.ShiftInput, by string) (any, error) {
	sh, err := c.shiftFrom(in, by)
	if err != nil {
		return nil, err
	}
	c.s.writeMu.Lock()
	defer c.s.writeMu.Unlock()
	if err := c.checkOverlap(ctx, sh); err != nil {
		return nil, err
	}
	saved, err := c.s.opts.Store.SaveShifts(ctx, nil, []store.Shift{sh})
	if err != nil {
		return nil, apiError(err)
	}
	c.s.Reload()
	return saved[0], nil
}

func (c control) UpdateShift(ctx context.Context, id int64, in web.ShiftInput, by string) (any, error) {
	sh, err := c.shiftFrom(in, by)
	if err != nil {
		return nil, err
	}
	sh.ID = id
	c.s.writeMu.Lock()
	defer c.s.writeMu.Unlock()
	if _, err := c.s.opts.Store.Shift(ctx, id); err != nil {
		return nil, apiError(err)
	}
	if err := c.checkOverlap(ctx, sh); err != nil {
		return nil, err
	}
	if err := c.s.opts.Store.UpdateShift(ctx, sh); err != nil {
		return nil, apiError(err)
	}
	c.s.Reload()
	return sh, nil
}

func (c control) DeleteShift(ctx context.Context, id int64, _ string) error {
	c.s.writeMu.Lock()
	defer c.s.writeMu.Unlock()
	if err := c.s.opts.Store.DeleteShift(ctx, id); err != nil {
		return apiError(err)
	}
	c.s.Reload()
	return nil
}

// ImportResult is what an accepted import did.
type ImportResult struct {
	Created  int           `json:"created"`
	Replaced int           `json:"replaced"`
	Shifts   []store.Shift `json:"shifts"`
}

// ImportShifts stores a CSV schedule whole, or nothing with every problem
// by line: the file's own (ParseCSV) and overlaps with stored shifts. With
// replace, the stored shifts of the file's agents that start on the file's
// days are replaced instead of overlapped.
func (c control) ImportShifts(ctx context.Context, csv io.Reader, replace bool, by string) (any, error) {
	rs := c.s.setup().rules
	lines, problems := rs.ParseCSV(csv, c.s.knownAgent)
	if len(problems) == 0 && len(lines) == 0 {
		problems = append(problems, LineProblem{Line: 2, Problem: "no shift in the file"})
	}
	if len(problems) > 0 {
		return nil, refusal(problems)
	}
	c.s.writeMu.Lock()
	defer c.s.writeMu.Unlock()
	remove, problems, err := c.againstStored(ctx, lines, replace)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, refusal(problems)
	}
	add := make([]store.Shift, 0, len(lines))
	now := c.s.opts.Now()
	for _, l := range lines {
		l.Shift.UpdatedBy, l.Shift.Updated = by, now
		add = append(add, l.Shift)
	}
	saved, err := c.s.opts.Store.SaveShifts(ctx, remove, add)
	if err != nil {
		return nil, apiError(err)
	}
	c.s.Reload()
	return ImportResult{Created: len(saved), Replaced: len(remove), Shifts: saved}, nil
}

// againstStored checks the file's shifts against the stored ones: the ids
// to remove (with replace: the stored shifts of the file's agents that
// start on a day of the file, in the schedule's time zone) and the lines
// that overlap a stored shift that stays.
func (c control) againstStored(ctx context.Context, lines []ImportLine, replace bool) ([]int64, []LineProblem, error) {
	rs := c.s.setup().rules
	from, to := lines[0].Shift.Start, lines[0].Shift.End
	agents, days := map[string]bool{}, map[time.Time]bool{}
	for _, l := range lines {
		from, to = rules.Earlier(from, l.Shift.Start), rules.Later(to, l.Shift.End)
		agents[l.Shift.Agent] = true
		days[c.s.today(l.Shift.Start)] = true
	}
	from = rules.Earlier(from, c.s.today(from))
	stored, err := c.s.opts.Store.Shifts(ctx, store.ShiftFilter{From: from, To: rules.Later(to, c.s.today(to).AddDate(0, 0, 1))})
	if err != nil {
		return nil, nil, apiError(err)
	}
	var remove []int64
	kept := map[string][]store.Shift{} // by agent
	for _, o := range stored {
		if replace && agents[o.Agent] && days[c.s.today(o.Start)] {
			remove = append(remove, o.ID)
			continue
		}
		kept[o.Agent] = append(kept[o.Agent], o)
	}
	var problems []LineProblem
	for _, l := range lines {
		for _, o := range kept[l.Shift.Agent] {
			if Overlap(o, l.Shift) {
				problems = append(problems, LineProblem{Line: l.Line, Problem: fmt.Sprintf(
					"agent %s: shift %s overlaps stored shift %d (%s)", l.Shift.Agent, rs.Span(l.Shift.Start, l.Shift.End), o.ID, rs.Span(o.Start, o.End))})
				break
			}
		}
	}
	return remove, problems, nil
}

func refusal(problems []LineProblem) error {
	pe := &web.ProblemsError{What: "schedule"}
	for _, p := range problems {
		pe.Problems = append(pe.Problems, web.LineProblem{Line: p.Line, Problem: p.Problem})
	}
	return pe
}

// LiveView is the floor's adherence now.
type LiveView struct {
	At     time.Time   `json:"at"`
	Target float64     `json:"target"`
	Agents []AgentLive `json:"agents"`
	Teams  []TeamLive  `json:"teams"`
}

// TeamLive is a team's adherence today so far.
type TeamLive struct {
	Team          string   `json:"team"`
	ScheduledSecs float64  `json:"scheduled_seconds"`
	AdherentSecs  float64  `json:"adherent_seconds"`
	Adherence     *float64 `json:"adherence"`
}

func (c control) LiveAdherence(context.Context) (any, error) {
	live := c.s.Live()
	v := LiveView{At: c.s.opts.Now(), Target: c.s.setup().rules.Target, Agents: live, Teams: teamsOf(c.s.TeamTally(live))}
	return v, nil
}

func teamsOf(tallies map[string]Tally) []TeamLive {
	out := []TeamLive{}
	for _, team := range slices.Sorted(maps.Keys(tallies)) {
		t := tallies[team]
		tl := TeamLive{Team: team, ScheduledSecs: t.Scheduled.Seconds(), AdherentSecs: t.Adherent.Seconds()}
		if r, ok := t.Ratio(); ok {
			tl.Adherence = &r
		}
		out = append(out, tl)
	}
	return out
}

// DaySchedule is one agent's day: shifts with their plan and attendance,
// and the live adherence when the day is today.
type DaySchedule struct {
	Agent      string     `json:"agent"`
	Name       string     `json:"name"`
	WorkNumber string     `json:"work_number"`
	Date       string     `json:"date"`
	Shifts     []DayShift `json:"shifts"`
	Live       *AgentLive `json:"live"`
}

// DayShift is a shift with its planned stretches and how it was attended.
type DayShift struct {
	store.Shift
	Plan       []Planned       `json:"plan"`
	Attendance ShiftAttendance `json:"attendance"`
}

func (c control) AgentSchedule(ctx context.Context, agent string, day time.Time) (any, error) {
	set := c.s.setup()
	a, ok := set.agents[agent]
	if !ok {
		return nil, fmt.Errorf("%w: agent %s is not configured", web.ErrNotFound, agent)
	}
	day = c.s.today(day)
	next := day.AddDate(0, 0, 1)
	shifts, err := c.s.opts.Store.Shifts(ctx, store.ShiftFilter{From: day, To: next, Agent: agent})
	if err != nil {
		return nil, apiError(err)
	}
	now := c.s.opts.Now()
	out := DaySchedule{Agent: agent, Name: a.Name, WorkNumber: a.WorkNumber, Date: day.Format("2006-01-02"), Shifts: []DayShift{}}
	var history []Segment
	if len(shifts) > 0 {
		from, to := rules.Earlier(shifts[0].Start, day), rules.Later(shifts[len(shifts)-1].End, next)
		states, err := c.s.opts.Store.AgentStates(ctx, agent, from, to)
		if err != nil {
			return nil, apiError(err)
		}
		history = Segments(states, from, rules.Earlier(to, now))
	}
	for _, sh := range shifts {
		out.Shifts = append(out.Shifts, DayShift{Shift: sh, Plan: Plan(sh), Attendance: set.rules.Attend(sh, history, now)})
	}
	if c.s.today(now).Equal(day) {
		for _, l := range c.s.Live() {
			if l.Agent == agent {
				out.Live = &l
			}
		}
	}
	return out, nil
}
