package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/store/report"
)

// CallTotals counts the calls that arrived in [from, to) by result, and
// the complaint dispositions given in it.
func (s *Store) CallTotals(ctx context.Context, from, to time.Time) (CallTotals, error) {
	t := CallTotals{ByResult: map[string]int{}}
	if err := report.CheckPeriod(from, to); err != nil {
		return t, err
	}
	if err := s.connected(); err != nil {
		return t, err
	}
	var rows []struct {
		Result string `db:"result"`
		N      int    `db:"n"`
	}
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(
		"SELECT result, COUNT(*) AS n FROM calls WHERE arrived_ms >= ? AND arrived_ms < ? GROUP BY result"), ms(from), ms(to))
	if err != nil {
		return t, fmt.Errorf("store: call totals: %w", unavailable(err))
	}
	for _, r := range rows {
		t.Calls += r.N
		t.ByResult[r.Result] += r.N
	}
	var c struct {
		N        int  `db:"n"`
		Resolved *int `db:"resolved"`
	}
	err = s.db().GetContext(ctx, &c, s.db().Rebind(
		"SELECT COUNT(*) AS n, SUM(resolved) AS resolved FROM dispositions WHERE category = ? AND at_ms >= ? AND at_ms < ?"),
		ComplaintCategory, ms(from), ms(to))
	if err != nil {
		return t, fmt.Errorf("store: complaint totals: %w", unavailable(err))
	}
	t.Complaints = c.N
	if c.Resolved != nil {
		t.ComplaintsResolved = *c.Resolved
	}
	return t, nil
}
