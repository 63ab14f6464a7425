package reportsql

import (
	"time"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Table reads the rows behind the reports: queue visits, calls,
// dispositions, wrap-ups, survey answers and agent state changes.
type Table struct {
	h   *sqldb.Handle
	now func() time.Time
}

// New reads from h; now is the store's clock (an agent state still current
// is counted up to it).
func New(h *sqldb.Handle, now func() time.Time) *Table { return &Table{h: h, now: now} }
