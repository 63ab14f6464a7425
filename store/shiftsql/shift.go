package shiftsql

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Shift is one agent's planned working period: what the agent should be
// doing from Start to End (Activity: phones, training, meeting, …), with
// planned breaks inside it. The rules about what a shift may look like
// (agents, overlaps, activities) belong to the workforce package; the store
// only keeps them.
type Shift struct {
	ID        int64        `json:"id"`
	Agent     string       `json:"agent"`
	Start     time.Time    `json:"start"`
	End       time.Time    `json:"end"`
	Activity  string       `json:"activity"`
	Breaks    []ShiftBreak `json:"breaks"`
	Note      string       `json:"note,omitempty"`
	UpdatedBy string       `json:"updated_by,omitempty"`
	Updated   time.Time    `json:"updated_at"`
}

// ShiftBreak is a planned break (or another activity) inside a shift.
type ShiftBreak struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Activity string    `json:"activity"`
}

type shiftRow struct {
	ID        int64  `db:"id"`
	Agent     string `db:"agent"`
	StartsMS  int64  `db:"starts_ms"`
	EndsMS    int64  `db:"ends_ms"`
	Activity  string `db:"activity"`
	Breaks    string `db:"breaks"`
	Note      string `db:"note"`
	UpdatedBy string `db:"updated_by"`
	UpdatedMS int64  `db:"updated_ms"`
}

const shiftColumns = "id, agent, starts_ms, ends_ms, activity, breaks, note, updated_by, updated_ms"

// storedBreak keeps break times as ms, like every other time in the tables.
type storedBreak struct {
	StartMS  int64  `json:"start"`
	EndMS    int64  `json:"end"`
	Activity string `json:"activity"`
}

func (r shiftRow) shift() (Shift, error) {
	sh := Shift{ID: r.ID, Agent: r.Agent, Start: sqldb.FromMS(r.StartsMS), End: sqldb.FromMS(r.EndsMS), Activity: r.Activity,
		Note: r.Note, UpdatedBy: r.UpdatedBy, Updated: sqldb.FromMS(r.UpdatedMS), Breaks: []ShiftBreak{}}
	var breaks []storedBreak
	if err := json.Unmarshal([]byte(r.Breaks), &breaks); err != nil {
		return sh, fmt.Errorf("store: shift %d: breaks: %w", r.ID, err)
	}
	for _, b := range breaks {
		sh.Breaks = append(sh.Breaks, ShiftBreak{Start: sqldb.FromMS(b.StartMS), End: sqldb.FromMS(b.EndMS), Activity: b.Activity})
	}
	return sh, nil
}

func shiftArgs(sh Shift) ([]any, error) {
	breaks := make([]storedBreak, 0, len(sh.Breaks))
	for _, b := range sh.Breaks {
		breaks = append(breaks, storedBreak{StartMS: sqldb.MS(b.Start), EndMS: sqldb.MS(b.End), Activity: b.Activity})
	}
	enc, err := json.Marshal(breaks)
	if err != nil {
		return nil, fmt.Errorf("store: shift breaks: %w", err)
	}
	return []any{sqldb.Clip(sh.Agent, 64), sqldb.MS(sh.Start), sqldb.MS(sh.End), sqldb.Clip(sh.Activity, 32), string(enc),
		sqldb.Clip(sh.Note, 512), sqldb.Clip(sh.UpdatedBy, 128), sqldb.MS(sh.Updated)}, nil
}

// Table is the shifts table, read and written directly (see Shifts).
type Table struct{ h *sqldb.Handle }

// New is the table on h.
func New(h *sqldb.Handle) *Table { return &Table{h: h} }

// ShiftFilter selects shifts that overlap [From, To); Agent, when set,
// only that agent's.
type ShiftFilter struct {
	From, To time.Time
	Agent    string
}

// maxShiftRows bounds one read: a month of shifts for a few thousand agents.
const maxShiftRows = 200000

// Shifts lists the shifts overlapping the filter's period, by agent and
// start. Shifts are read from and written to the database directly, not
// through the spool: a supervisor saving a schedule waits to know it is
// saved. While the database cannot be reached they fail with
// sqldb.ErrDatabaseUnavailable.
func (tb *Table) Shifts(ctx context.Context, f ShiftFilter) ([]Shift, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	where, args := "starts_ms < ? AND ends_ms > ?", []any{sqldb.MS(f.To), sqldb.MS(f.From)}
	if f.Agent != "" {
		where, args = where+" AND agent = ?", append(args, f.Agent)
	}
	return shiftsWhere(ctx, db, where+fmt.Sprintf(" ORDER BY agent, starts_ms LIMIT %d", maxShiftRows), args...)
}

// Shift reads one shift, or sqldb.ErrNotFound.
func (tb *Table) Shift(ctx context.Context, id int64) (Shift, error) {
	db, err := tb.h.DB()
	if err != nil {
		return Shift{}, err
	}
	list, err := shiftsWhere(ctx, db, "id = ?", id)
	if err != nil {
		return Shift{}, err
	}
	if len(list) == 0 {
		return Shift{}, fmt.Errorf("store: shift %d: %w", id, sqldb.ErrNotFound)
	}
	return list[0], nil
}

func shiftsWhere(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]Shift, error) {
	return sqldb.Select(ctx, db, "shifts", "SELECT "+shiftColumns+" FROM shifts WHERE "+where, shiftRow.shift, args...)
}

// SaveShifts deletes the shifts with the ids in remove and inserts add, in
// one transaction: an import is stored whole or not at all. It returns add
// with their new ids.
func (tb *Table) SaveShifts(ctx context.Context, remove []int64, add []Shift) ([]Shift, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: save shifts: %w", sqldb.Unavailable(err))
	}
	defer func() { _ = tx.Rollback() }()
	for _, id := range remove {
		if _, err := tx.ExecContext(ctx, tx.Rebind("DELETE FROM shifts WHERE id = ?"), id); err != nil {
			return nil, fmt.Errorf("store: delete shift %d: %w", id, sqldb.Unavailable(err))
		}
	}
	out := make([]Shift, 0, len(add))
	insert := tx.Rebind("INSERT INTO shifts (agent, starts_ms, ends_ms, activity, breaks, note, updated_by, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
	for _, sh := range add {
		args, err := shiftArgs(sh)
		if err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, insert, args...)
		if err != nil {
			return nil, fmt.Errorf("store: insert shift: %w", sqldb.Unavailable(err))
		}
		if sh.ID, err = res.LastInsertId(); err != nil {
			return nil, fmt.Errorf("store: insert shift: id: %w", err)
		}
		out = append(out, sh)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: save shifts: %w", sqldb.Unavailable(err))
	}
	return out, nil
}

// UpdateShift replaces every field of shift sh.ID.
func (tb *Table) UpdateShift(ctx context.Context, sh Shift) error {
	db, err := tb.h.DB()
	if err != nil {
		return err
	}
	args, err := shiftArgs(sh)
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, db.Rebind(
		"UPDATE shifts SET agent = ?, starts_ms = ?, ends_ms = ?, activity = ?, breaks = ?, note = ?, updated_by = ?, updated_ms = ? WHERE id = ?"),
		append(args, sh.ID)...)
	if err != nil {
		return fmt.Errorf("store: update shift %d: %w", sh.ID, sqldb.Unavailable(err))
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	// MySQL counts only changed rows: an update that changed nothing is
	// told from a missing shift by reading it.
	_, err = tb.Shift(ctx, sh.ID)
	return err
}

// DeleteShift removes one shift, or reports sqldb.ErrNotFound.
func (tb *Table) DeleteShift(ctx context.Context, id int64) error {
	db, err := tb.h.DB()
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, db.Rebind("DELETE FROM shifts WHERE id = ?"), id)
	if err != nil {
		return fmt.Errorf("store: delete shift %d: %w", id, sqldb.Unavailable(err))
	}
	return affectedShift(res, id)
}

func affectedShift(res interface{ RowsAffected() (int64, error) }, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: shift %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: shift %d: %w", id, sqldb.ErrNotFound)
	}
	return nil
}
