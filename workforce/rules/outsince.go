package rules

import (
	"slices"
	"time"
)

// OutSince is when the agent's current stretch out of adherence began:
// the start of the latest unbroken run of scheduled, non-adherent time
// ending at now (zero if the agent is adherent or unscheduled at now).
func (r Rules) OutSince(plan []Planned, history []Segment, now time.Time) time.Time {
	byStart := func(a, b Planned) int { return a.Start.Compare(b.Start) }
	if !slices.IsSortedFunc(plan, byStart) {
		plan = slices.Clone(plan)
		slices.SortFunc(plan, byStart)
	}
	var start, reach time.Time // start of the run; where it has got to
	for _, p := range plan {
		for _, s := range history {
			ss, se := Later(s.Start, p.Start), Earlier(Earlier(s.End, p.End), now)
			if !se.After(ss) {
				continue
			}
			switch {
			case r.Adherent(p.Activity, s.State, s.Reason):
				start = time.Time{}
			case start.IsZero() || ss.After(reach):
				start = ss // a new run, or one after unscheduled time
			}
			reach = se
		}
	}
	if reach.Before(now) {
		return time.Time{}
	}
	return start
}
