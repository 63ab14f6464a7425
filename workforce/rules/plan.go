package rules

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// Phones is the planned activity of taking calls: the agent should be
// logged in and ready or busy with a call.
const Phones = "phones"

// BreakActivity is the activity of a break given without one.
const BreakActivity = "break"

// MaxShift is the longest shift accepted: longer is a typing mistake.
const MaxShift = 16 * time.Hour

var activityCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Planned is one stretch of a shift with one activity.
type Planned struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Activity string    `json:"activity"`
}

// Plan cuts a shift into its planned stretches, in order: the shift's
// activity, interrupted by its breaks. The shift must be valid (Check).
func Plan(sh store.Shift) []Planned {
	breaks := slices.Clone(sh.Breaks)
	slices.SortFunc(breaks, func(a, b store.ShiftBreak) int { return a.Start.Compare(b.Start) })
	var out []Planned
	at := sh.Start
	for _, b := range breaks {
		if b.Start.After(at) {
			out = append(out, Planned{Start: at, End: b.Start, Activity: sh.Activity})
		}
		out = append(out, Planned{Start: b.Start, End: b.End, Activity: b.Activity})
		at = b.End
	}
	if sh.End.After(at) {
		out = append(out, Planned{Start: at, End: sh.End, Activity: sh.Activity})
	}
	return out
}

// ActivityAt is what the shift plans at t, or "" outside it.
func ActivityAt(sh store.Shift, t time.Time) (Planned, bool) {
	if t.Before(sh.Start) || !t.Before(sh.End) {
		return Planned{}, false
	}
	for _, p := range Plan(sh) {
		if !t.Before(p.Start) && t.Before(p.End) {
			return p, true
		}
	}
	return Planned{}, false
}

// Normalize fills the defaults of a shift entered by a person: phones as
// the activity, break as a break's.
func Normalize(sh store.Shift) store.Shift {
	if sh.Activity == "" {
		sh.Activity = Phones
	}
	sh.Breaks = slices.Clone(sh.Breaks)
	for i := range sh.Breaks {
		if sh.Breaks[i].Activity == "" {
			sh.Breaks[i].Activity = BreakActivity
		}
	}
	if sh.Breaks == nil {
		sh.Breaks = []store.ShiftBreak{}
	}
	return sh
}

// Check lists what is wrong with one shift on its own: the agent, the
// times, the activities and the breaks. Overlaps with other shifts are
// checked by Overlaps.
func (r Rules) Check(sh store.Shift, knownAgent func(string) bool) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	switch {
	case sh.Agent == "":
		add("agent: missing")
	case !knownAgent(sh.Agent):
		add("agent %q is not a configured agent", sh.Agent)
	}
	switch {
	case sh.Start.IsZero() || sh.End.IsZero():
		add("start and end are both needed")
	case !sh.End.After(sh.Start):
		add("end %s is not after start %s", r.clock(sh.End), r.clock(sh.Start))
	case sh.End.Sub(sh.Start) > MaxShift:
		add("shift of %s is longer than %s", sh.End.Sub(sh.Start), MaxShift)
	}
	if !r.KnownActivity(sh.Activity) {
		add("activity %q is unknown (want %s)", sh.Activity, r.activityList())
	}
	breaks := slices.Clone(sh.Breaks)
	slices.SortFunc(breaks, func(a, b store.ShiftBreak) int { return a.Start.Compare(b.Start) })
	for i, b := range breaks {
		span := r.Span(b.Start, b.End)
		switch {
		case !b.End.After(b.Start):
			add("break %s: end is not after start", span)
		case b.Start.Before(sh.Start) || b.End.After(sh.End):
			add("break %s is outside the shift %s", span, r.Span(sh.Start, sh.End))
		case i > 0 && b.Start.Before(breaks[i-1].End):
			add("break %s overlaps break %s", span, r.Span(breaks[i-1].Start, breaks[i-1].End))
		}
		if !r.KnownActivity(b.Activity) {
			add("break %s: activity %q is unknown (want %s)", span, b.Activity, r.activityList())
		}
	}
	return problems
}

// Overlap reports whether two shifts of the same agent share time.
func Overlap(a, b store.Shift) bool {
	return a.Agent == b.Agent && a.Start.Before(b.End) && b.Start.Before(a.End)
}

func (r Rules) clock(t time.Time) string { return t.In(r.Loc()).Format("2006-01-02 15:04") }

// Span writes a period as "2006-01-02 15:04-16:00", the end's date only
// when it is another day.
func (r Rules) Span(a, b time.Time) string {
	a, b = a.In(r.Loc()), b.In(r.Loc())
	if a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		return r.clock(a) + "-" + b.Format("15:04")
	}
	return r.clock(a) + "-" + r.clock(b)
}
