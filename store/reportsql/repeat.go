package reportsql

import (
	"context"
	"fmt"

	"github.com/hotline-oss/hotline/store/report"
	"github.com/hotline-oss/hotline/store/sqldb"
)

// RepeatCallers counts the calls per number in the month (every call that
// reached the server, blocked ones included; anonymous calls left out) and
// the complaint dispositions on them.
func (tb *Table) RepeatCallers(ctx context.Context, p report.RepeatParams) (report.RepeatReport, error) {
	db, err := tb.h.DB()
	if err != nil {
		return report.RepeatReport{}, err
	}
	p = p.WithDefaults()
	from := report.IntervalMonth.Start(p.Month, p.Location)
	to := report.IntervalMonth.Next(from)
	var rows []struct {
		CallID    string  `db:"call_id"`
		Caller    string  `db:"caller"`
		ArrivedMS int64   `db:"arrived_ms"`
		Category  *string `db:"category"`
	}
	// One row per call and disposition; a call without one has a NULL
	// category.
	err = db.SelectContext(ctx, &rows, db.Rebind(`SELECT c.call_id, c.caller, c.arrived_ms, d.category
FROM calls c LEFT JOIN dispositions d ON d.call_id = c.call_id
WHERE c.arrived_ms >= ? AND c.arrived_ms < ? AND c.caller <> ''
ORDER BY c.caller, c.arrived_ms, c.call_id`), from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return report.RepeatReport{}, fmt.Errorf("store: repeat callers: %w", sqldb.Unavailable(err))
	}
	byCaller := make(map[string]*report.RepeatCaller)
	lastCallID := ""
	for _, r := range rows {
		c, ok := byCaller[r.Caller]
		if !ok {
			c = &report.RepeatCaller{Caller: r.Caller, FirstCall: sqldb.FromMS(r.ArrivedMS).In(p.Location)}
			byCaller[r.Caller] = c
		}
		// A call with two dispositions comes in two adjacent rows.
		if r.CallID != lastCallID {
			c.Calls++
		}
		lastCallID = r.CallID
		c.LastCall = sqldb.FromMS(r.ArrivedMS).In(p.Location)
		if r.Category != nil && *r.Category == p.ComplaintCategory {
			c.Complaints++
		}
	}
	return p.Summarise(from, to, byCaller), nil
}
