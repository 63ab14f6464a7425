package auditsql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// AuditEntry is one line of the audit log: who did what, when, from where
// and how it ended.
type AuditEntry struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`           // token name, "agent:<id>", or "anonymous"
	Role   string    `json:"role,omitempty"`  // agent, supervisor, admin
	Agent  string    `json:"agent,omitempty"` // the agent an agent token or session acts for
	Action string    `json:"action"`          // e.g. "POST /api/v1/agents/{id}/{action}", "sip listen"
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"` // a small JSON object; never secrets
	Source string    `json:"source,omitempty"` // remote IP
	Result string    `json:"result"`           // HTTP status, or ok / error
}

// Audit column limits; detail is bounded so that a chatty caller cannot
// grow the table without limit.
const (
	maxAuditDetail = 2048
	maxSourceLen   = 64
	auditIDLen     = 64
)

var auditColumns = []string{"id", "at_ms", "actor", "role", "agent", "action", "target", "detail", "source", "result"}

// Table is the audit log: entries go through the store's writer, reads to
// the database.
type Table struct {
	h   *sqldb.Handle
	now func() time.Time
	put func(*AuditEntry)
}

// New is the audit log on h. now is the store's clock; put hands an entry
// to the writer and returns once it is durable.
func New(h *sqldb.Handle, now func() time.Time, put func(*AuditEntry)) *Table {
	return &Table{h: h, now: now, put: put}
}

// ErrBadAuditFilter is returned by AuditLog for a filter it cannot run.
var ErrBadAuditFilter = errors.New("store: bad audit filter")

// Audit appends an entry to the audit log through the writer: it never
// blocks on the database, and an outage keeps the entry in the spool until
// the database is back. A zero At is the store's clock; an empty ID is
// made unique.
func (tb *Table) Audit(e AuditEntry) {
	if e.At.IsZero() {
		e.At = tb.now()
	}
	e.At = e.At.UTC()
	if e.ID == "" {
		e.ID = newAuditID(e.At)
	}
	if e.Detail == "" {
		e.Detail = "{}"
	}
	tb.put(&e)
}

// newAuditID orders by time and is unique across processes sharing a
// database.
func newAuditID(at time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%013d-%s", at.UnixMilli(), hex.EncodeToString(b[:]))
}

// Sink writes spooled audit entries in the writer's batches.
type Sink struct{ insertSQL string }

// NewSink prepares the statement for db.
func NewSink(db *sqlx.DB, d sqldb.Dialect) *Sink {
	return &Sink{insertSQL: db.Rebind(d.InsertSQL("audit_log", []string{"id"}, auditColumns, ""))}
}

// Write writes one entry in the batch's transaction.
func (k *Sink) Write(ctx context.Context, tx *sqldb.Tx, e *AuditEntry) error {
	return tx.Exec(ctx, k.insertSQL, sqldb.Clip(e.ID, auditIDLen), sqldb.MS(e.At), sqldb.Clip(e.Actor, sqldb.MaxNameLen),
		sqldb.Clip(e.Role, sqldb.MaxShortLen), sqldb.Clip(e.Agent, sqldb.MaxNameLen), sqldb.Clip(e.Action, sqldb.MaxTargetLen),
		sqldb.Clip(e.Target, sqldb.MaxTargetLen), clipDetail(e.Detail), sqldb.Clip(e.Source, maxSourceLen),
		sqldb.Clip(e.Result, sqldb.MaxShortLen))
}

// clipDetail keeps the detail valid JSON: one cut in the middle of a
// value would leave something no reader can parse.
func clipDetail(d string) string {
	if len(d) <= maxAuditDetail {
		return d
	}
	return `{"truncated":true}`
}

// AuditFilter selects audit entries. Zero From and To leave that end
// open; Actor matches exactly; Action matches a part of the action or of
// the target (so "pause" finds every pause request); Limit defaults to 100
// and may not exceed 1000.
type AuditFilter struct {
	From, To time.Time
	Actor    string
	Action   string
	Limit    int
}

// Audit read limits.
const (
	DefaultAuditLimit = 100
	MaxAuditLimit     = 1000
)

type auditRow struct {
	ID     string `db:"id"`
	AtMS   int64  `db:"at_ms"`
	Actor  string `db:"actor"`
	Role   string `db:"role"`
	Agent  string `db:"agent"`
	Action string `db:"action"`
	Target string `db:"target"`
	Detail string `db:"detail"`
	Source string `db:"source"`
	Result string `db:"result"`
}

// AuditLog reads audit entries, newest first.
func (tb *Table) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit == 0 {
		f.Limit = DefaultAuditLimit
	}
	if f.Limit < 0 || f.Limit > MaxAuditLimit {
		return nil, fmt.Errorf("%w: limit %d: want 1..%d", ErrBadAuditFilter, f.Limit, MaxAuditLimit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return nil, fmt.Errorf("%w: to must be after from", ErrBadAuditFilter)
	}
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if !f.From.IsZero() {
		where, args = append(where, "at_ms >= ?"), append(args, sqldb.MS(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at_ms < ?"), append(args, sqldb.MS(f.To))
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		pattern := "%" + escapeLike(f.Action) + "%"
		where = append(where, `(action LIKE ? ESCAPE '!' OR target LIKE ? ESCAPE '!')`)
		args = append(args, pattern, pattern)
	}
	query := "SELECT " + strings.Join(auditColumns, ", ") + " FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY at_ms DESC, id DESC LIMIT " + strconv.Itoa(f.Limit)
	var rows []auditRow
	if err := db.SelectContext(ctx, &rows, db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", sqldb.Unavailable(err))
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{ID: r.ID, At: sqldb.FromMS(r.AtMS), Actor: r.Actor, Role: r.Role, Agent: r.Agent,
			Action: r.Action, Target: r.Target, Detail: r.Detail, Source: r.Source, Result: r.Result}
	}
	return out, nil
}

// escapeLike makes s match itself in a LIKE pattern with '!' as escape.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
