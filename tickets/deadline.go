package tickets

import (
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// SweepEvery is how often the deadlines and the due return visits are
// looked at: a ticket escalates at most this long after its deadline.
const SweepEvery = 30 * time.Second

// overdue reports whether t, at now, is past its answer deadline and still
// waiting for its answer.
func overdue(t store.Ticket, now time.Time) bool {
	return IsFollowing(State(t.State)) && now.After(t.Due)
}

// countOverdue is the tickets overdue now (the hotline_tickets_overdue
// gauge, the wallboard and the supervisors' count).
func (svc *Service) countOverdue() float64 {
	n, _ := svc.Counts()
	return float64(n)
}

// Counts are the tickets overdue and the tickets still being worked on,
// now.
func (svc *Service) Counts() (overdueNow, open int) {
	now := svc.deps.Clock.Now()
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for _, e := range svc.active {
		if IsFollowing(State(e.t.State)) || State(e.t.State) == Answered {
			open++
		}
		if overdue(e.t, now) {
			overdueNow++
		}
	}
	return overdueNow, open
}

// Sweep escalates the tickets that passed their deadline since the last
// sweep, once each: a history entry, a ticket_overdue event (and so a
// webhook), a count. It then starts the return visits that are due. The
// server calls it every SweepEvery; tests call it with their own clock.
func (svc *Service) Sweep() {
	now := svc.deps.Clock.Now()
	var late []store.Ticket
	svc.mu.Lock()
	var saves []save
	for _, id := range slices.Sorted(maps.Keys(svc.active)) {
		e := svc.active[id]
		if !overdue(e.t, now) || !e.t.Escalated.IsZero() {
			continue
		}
		t := e.t
		t.CallIDs = slices.Clone(t.CallIDs)
		t.Version++
		t.Escalated, t.Updated = now, now
		c := store.TicketChange{TicketID: id, Seq: int(t.Version), At: now, Actor: "hotline",
			Action: string(ActEscalate), From: t.State, To: t.State,
			Note: "answer deadline " + t.Due.UTC().Format(time.RFC3339) + " passed"}
		svc.active[id] = &entry{t: t, history: append(slices.Clip(e.history), c)}
		saves = append(saves, save{t: t, c: c})
		late = append(late, t)
	}
	durable := svc.saveLocked(saves)
	svc.mu.Unlock()
	durable()
	for _, t := range late {
		svc.metrics.escalated(t)
		svc.log.Warn("ticket overdue: escalated", "ticket", t.ID, "category", t.Category, "urgency", t.Urgency,
			"owner", t.Owner, "due", t.Due)
		svc.publish(call.TicketOverdue, t, State(t.State), ActEscalate, now)
	}
	svc.visits.due(now)
}
