package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// LastAgent returns the agent who answered the most recent call from
// caller that arrived at or after since, or "" when there is none. It
// backs the sticky agent: the caller is offered first to that agent.
func (s *Store) LastAgent(ctx context.Context, caller string, since time.Time) (string, error) {
	if err := s.connected(); err != nil {
		return "", err
	}
	if caller == "" {
		return "", nil
	}
	var agent string
	err := s.db().GetContext(ctx, &agent, s.db().Rebind(`SELECT agent FROM calls
WHERE caller = ? AND arrived_ms >= ? AND result = ? AND agent <> ''
ORDER BY arrived_ms DESC LIMIT 1`), caller, ms(since), string(call.ResultAnsweredByAgent))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: last agent: %w", err)
	}
	return agent, nil
}

// ComplaintCount counts the dispositions of category on calls from caller
// that arrived in [from, to): how often this caller complained in the
// month, for the repeat-complainer routing.
func (s *Store) ComplaintCount(ctx context.Context, caller, category string, from, to time.Time) (int, error) {
	if err := s.connected(); err != nil {
		return 0, err
	}
	if caller == "" {
		return 0, nil
	}
	var n int
	err := s.db().GetContext(ctx, &n, s.db().Rebind(`SELECT COUNT(*) FROM dispositions d
JOIN calls c ON c.call_id = d.call_id
WHERE c.caller = ? AND c.arrived_ms >= ? AND c.arrived_ms < ? AND d.category = ?`),
		caller, ms(from), ms(to), category)
	if err != nil {
		return 0, fmt.Errorf("store: complaint count: %w", err)
	}
	return n, nil
}

// MonthOf is the calendar month containing t in loc, as [from, to).
func MonthOf(t time.Time, loc *time.Location) (from, to time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	from = IntervalMonth.Start(t, loc)
	return from, IntervalMonth.Next(from)
}

// RatedCall is a survey answer with the call's queue and answering agent.
type RatedCall struct {
	CallID string    `json:"call_id" db:"call_id"`
	Score  int       `json:"score" db:"score"`
	Agent  string    `json:"agent" db:"agent"`
	Queue  string    `json:"queue" db:"queue"`
	At     time.Time `json:"at" db:"-"`
	AtMS   int64     `json:"-" db:"at_ms"`
}

// RatedCalls lists the survey answers given in [from, to) with the agent
// and queue of their call, oldest first.
func (s *Store) RatedCalls(ctx context.Context, from, to time.Time) ([]RatedCall, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	var rows []RatedCall
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(`SELECT sa.call_id, sa.score, sa.at_ms,
COALESCE(c.agent, '') AS agent, COALESCE(c.queue, '') AS queue
FROM survey_answers sa LEFT JOIN calls c ON c.call_id = sa.call_id
WHERE sa.at_ms >= ? AND sa.at_ms < ? ORDER BY sa.at_ms, sa.call_id`), ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("store: rated calls: %w", err)
	}
	for i := range rows {
		rows[i].At = fromMS(rows[i].AtMS)
	}
	return rows, nil
}

// CalledSince reports whether number called the hotline at or after since.
// It backs the callback anti-fraud rule: a callback may go to another
// number only if that number has called in itself.
func (s *Store) CalledSince(ctx context.Context, number string, since time.Time) (bool, error) {
	if err := s.connected(); err != nil {
		return false, err
	}
	if number == "" {
		return false, nil
	}
	var n int
	err := s.db().GetContext(ctx, &n, s.db().Rebind(`SELECT COUNT(*) FROM calls
WHERE caller = ? AND arrived_ms >= ?`), number, ms(since))
	if err != nil {
		return false, fmt.Errorf("store: called since: %w", err)
	}
	return n > 0, nil
}
