package reportsql

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/store/report"
	"github.com/hotline-oss/hotline/store/sqldb"
)

// report.CallTotals counts the calls that arrived in [from, to) by result, and
// the complaint dispositions given in it.
func (tb *Table) CallTotals(ctx context.Context, from, to time.Time) (report.CallTotals, error) {
	t := report.CallTotals{ByResult: map[string]int{}}
	if err := report.CheckPeriod(from, to); err != nil {
		return t, err
	}
	db, err := tb.h.DB()
	if err != nil {
		return t, err
	}
	var rows []struct {
		Result string `db:"result"`
		N      int    `db:"n"`
	}
	err = db.SelectContext(ctx, &rows, db.Rebind(
		"SELECT result, COUNT(*) AS n FROM calls WHERE arrived_ms >= ? AND arrived_ms < ? GROUP BY result"), sqldb.MS(from), sqldb.MS(to))
	if err != nil {
		return t, fmt.Errorf("store: call totals: %w", sqldb.Unavailable(err))
	}
	for _, r := range rows {
		t.Calls += r.N
		t.ByResult[r.Result] += r.N
	}
	var c struct {
		N        int  `db:"n"`
		Resolved *int `db:"resolved"`
	}
	err = db.GetContext(ctx, &c, db.Rebind(
		"SELECT COUNT(*) AS n, SUM(resolved) AS resolved FROM dispositions WHERE category = ? AND at_ms >= ? AND at_ms < ?"),
		report.ComplaintCategory, sqldb.MS(from), sqldb.MS(to))
	if err != nil {
		return t, fmt.Errorf("store: complaint totals: %w", sqldb.Unavailable(err))
	}
	t.Complaints = c.N
	if c.Resolved != nil {
		t.ComplaintsResolved = *c.Resolved
	}
	return t, nil
}
