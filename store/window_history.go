package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// WindowEvents rebuilds, from the stored records, the events that feed the
// rolling windows (metrics) for the span [from, to): each queue visit's
// Queued, AgentAnswered and Abandoned, and every agent state change, with
// each agent's last change before from (the state it was in then). They
// come sorted by time, each agent's changes in their order, so that
// folding them in gives the windows the figures they had when the events
// happened live. A node or a whole cluster started after a restart calls
// it; on a shared database it sees every node's records.
//
// The events mirror what the live stream gave the windows: a callback's
// visit, which carries on an inbound call's visit, is answered or
// abandoned but never queued anew; an overflowed visit and one that ended
// otherwise count only as offered. Times have the records' millisecond
// resolution.
func (s *Store) WindowEvents(ctx context.Context, from, to time.Time) ([]call.Event, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	visits, err := s.windowVisits(ctx, from, to)
	if err != nil {
		return nil, err
	}
	states, err := s.AgentStates(ctx, "", from, to)
	if err != nil {
		return nil, err
	}
	events := make([]call.Event, 0, 2*len(visits)+len(states))
	for _, v := range visits {
		events = v.events(events, from, to)
	}
	for _, st := range states {
		events = append(events, call.Event{
			Kind: call.AgentStateChanged, Time: st.At, Agent: st.Agent,
			State: st.State, PrevState: st.PrevState, Reason: st.Reason,
		})
	}
	// Stable: each agent's changes keep their order within a millisecond.
	slices.SortStableFunc(events, func(a, b call.Event) int { return a.Time.Compare(b.Time) })
	return events, nil
}

type windowVisitRow struct {
	CallID   string        `db:"call_id"`
	Queue    string        `db:"queue"`
	Priority int           `db:"priority"`
	QueuedMS int64         `db:"queued_ms"`
	LeftMS   sql.NullInt64 `db:"left_ms"`
	Outcome  string        `db:"outcome"`
	WaitMS   int64         `db:"wait_ms"`
	Target   string        `db:"target"`
	Agent    string        `db:"agent"`
}

// windowVisits reads the visits queued or left in [from, to), in the
// order they were queued.
func (s *Store) windowVisits(ctx context.Context, from, to time.Time) ([]windowVisitRow, error) {
	lo, hi := from.UnixMilli(), to.UnixMilli()
	var rows []windowVisitRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(`SELECT call_id, queue, priority, queued_ms, left_ms,
	outcome, wait_ms, target, agent FROM queue_visits
WHERE (queued_ms >= ? AND queued_ms < ?) OR (left_ms >= ? AND left_ms < ?)
ORDER BY queued_ms, call_id, seq`), lo, hi, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: window visits: %w", err)
	}
	return rows, nil
}

// events appends the window events of one visit that fall in [from, to).
func (v windowVisitRow) events(out []call.Event, from, to time.Time) []call.Event {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	base := call.Event{CallID: v.CallID, Queue: v.Queue, Priority: v.Priority}
	queued := fromMS(v.QueuedMS)
	continuesCallback := v.Target != "" && (v.Outcome == OutcomeAnswered || v.Outcome == OutcomeAbandoned)
	if in(queued) && !continuesCallback {
		e := base
		e.Kind, e.Time = call.Queued, queued
		out = append(out, e)
	}
	if !v.LeftMS.Valid {
		return out
	}
	left := fromMS(v.LeftMS.Int64)
	if !in(left) {
		return out
	}
	wait := time.Duration(v.WaitMS) * time.Millisecond
	switch v.Outcome {
	case OutcomeAnswered:
		e := base
		e.Kind, e.Time, e.Wait, e.Agent = call.AgentAnswered, left, wait, v.Agent
		out = append(out, e)
	case OutcomeAbandoned:
		e := base
		e.Kind, e.Time, e.Wait = call.Abandoned, left, wait
		out = append(out, e)
	}
	return out
}
