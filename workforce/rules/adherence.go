package rules

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store"
)

// Agent states as the ACD names them (the hotline_agents state label).
const (
	StateLoggedOut = "logged_out"
	statePaused    = "paused"
)

// readyOrBusy are the states in which an agent planned on the phones is
// adherent: logged in and ready, or busy with a call.
var readyOrBusy = map[string]bool{"available": true, "ringing": true, "talking": true, "hold": true, "wrapup": true}

// Rules say what adherence and attendance mean for this hotline (from the
// workforce section of the configuration).
type Rules struct {
	// Activities maps a planned activity (other than phones) to the pause
	// reasons that count as doing it.
	Activities map[string][]string
	// LateLoginAfter, EarlyLogoutBefore: attendance thresholds.
	LateLoginAfter, EarlyLogoutBefore time.Duration
	// AlertAfter: out of adherence this long raises an alert; 0: never.
	AlertAfter time.Duration
	// Target is the adherence target reports colour against.
	Target float64
	// Location is the wall clock of days, months and CSV times.
	Location *time.Location
	// Queues are the queues' service-level thresholds, for the monthly
	// report's service level and abandon rate.
	Queues map[string]store.QueueThresholds
}

// Loc is the wall clock of days, months and CSV times (UTC if unset).
func (r Rules) Loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// KnownActivity reports whether a shift may plan activity.
func (r Rules) KnownActivity(activity string) bool {
	if activity == Phones {
		return true
	}
	_, ok := r.Activities[activity]
	return ok
}

func (r Rules) activityList() string {
	return strings.Join(append([]string{Phones}, slices.Sorted(maps.Keys(r.Activities))...), ", ")
}

// Adherent reports whether an agent in state (with pause reason) does what
// activity plans: on the phones, logged in and ready or busy; for any
// other activity, paused with one of its reasons.
func (r Rules) Adherent(activity, state, reason string) bool {
	if activity == Phones {
		return readyOrBusy[state]
	}
	return state == statePaused && slices.Contains(r.Activities[activity], reason)
}

// Segment is one stretch of an agent's state history.
type Segment struct {
	Start, End time.Time
	State      string
	Reason     string
}

// Segments turns one agent's state changes (sorted by time; the first may
// be from before from, giving the state the period began in) into the
// stretches that lie in [from, to). Before the first known change the
// agent counts as logged out.
func Segments(changes []store.AgentStateRecord, from, to time.Time) []Segment {
	var out []Segment
	cur := Segment{Start: from, State: StateLoggedOut}
	for _, c := range changes {
		if !c.At.After(from) {
			cur.State, cur.Reason = c.State, c.Reason
			continue
		}
		if !c.At.Before(to) {
			break
		}
		cur.End = c.At
		if cur.End.After(cur.Start) {
			out = append(out, cur)
		}
		cur = Segment{Start: c.At, State: c.State, Reason: c.Reason}
	}
	cur.End = to
	if cur.End.After(cur.Start) {
		out = append(out, cur)
	}
	return out
}

// Tally is adherence over some period: the scheduled time and the part of
// it the agent spent doing what was planned.
type Tally struct {
	Scheduled time.Duration
	Adherent  time.Duration
}

// Add sums two tallies.
func (t Tally) Add(o Tally) Tally {
	return Tally{Scheduled: t.Scheduled + o.Scheduled, Adherent: t.Adherent + o.Adherent}
}

// Ratio is Adherent ÷ Scheduled, or false with nothing scheduled.
func (t Tally) Ratio() (float64, bool) {
	if t.Scheduled <= 0 {
		return 0, false
	}
	return t.Adherent.Seconds() / t.Scheduled.Seconds(), true
}

// Measure tallies one agent's adherence in [from, to): plan is what the
// agent's shifts planned (Plan of each, in any order) and history the
// agent's states (Segments), both clipped to the period here.
func (r Rules) Measure(plan []Planned, history []Segment, from, to time.Time) Tally {
	var t Tally
	for _, p := range plan {
		ps, pe := Later(p.Start, from), Earlier(p.End, to)
		if !pe.After(ps) {
			continue
		}
		t.Scheduled += pe.Sub(ps)
		for _, s := range history {
			ss, se := Later(s.Start, ps), Earlier(s.End, pe)
			if se.After(ss) && r.Adherent(p.Activity, s.State, s.Reason) {
				t.Adherent += se.Sub(ss)
			}
		}
	}
	return t
}

// PlanOf joins the plans of several shifts.
func PlanOf(shifts []store.Shift) []Planned {
	var out []Planned
	for _, sh := range shifts {
		out = append(out, Plan(sh)...)
	}
	return out
}

// Later is the later of a and b.
func Later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Earlier is the earlier of a and b.
func Earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
