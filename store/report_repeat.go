package store

import (
	"context"
	"fmt"
)

// RepeatCallers counts the calls per number in the month (every call that
// reached the server, blocked ones included; anonymous calls left out) and
// the complaint dispositions on them.
func (s *Store) RepeatCallers(ctx context.Context, p RepeatParams) (RepeatReport, error) {
	if err := s.connected(); err != nil {
		return RepeatReport{}, err
	}
	p = p.WithDefaults()
	from := IntervalMonth.Start(p.Month, p.Location)
	to := IntervalMonth.Next(from)
	var rows []struct {
		CallID    string  `db:"call_id"`
		Caller    string  `db:"caller"`
		ArrivedMS int64   `db:"arrived_ms"`
		Category  *string `db:"category"`
	}
	// One row per call and disposition; a call without one has a NULL
	// category.
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(`SELECT c.call_id, c.caller, c.arrived_ms, d.category
FROM calls c LEFT JOIN dispositions d ON d.call_id = c.call_id
WHERE c.arrived_ms >= ? AND c.arrived_ms < ? AND c.caller <> ''
ORDER BY c.caller, c.arrived_ms, c.call_id`), from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return RepeatReport{}, fmt.Errorf("store: repeat callers: %w", unavailable(err))
	}
	byCaller := make(map[string]*RepeatCaller)
	lastCallID := ""
	for _, r := range rows {
		c, ok := byCaller[r.Caller]
		if !ok {
			c = &RepeatCaller{Caller: r.Caller, FirstCall: fromMS(r.ArrivedMS).In(p.Location)}
			byCaller[r.Caller] = c
		}
		// A call with two dispositions comes in two adjacent rows.
		if r.CallID != lastCallID {
			c.Calls++
		}
		lastCallID = r.CallID
		c.LastCall = fromMS(r.ArrivedMS).In(p.Location)
		if r.Category != nil && *r.Category == p.ComplaintCategory {
			c.Complaints++
		}
	}
	return p.Summarise(from, to, byCaller), nil
}
