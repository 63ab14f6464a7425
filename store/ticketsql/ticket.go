package ticketsql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/sqldb"
)

// Ticket is a complaint, suggestion, fault report or unresolved
// consultation as the store keeps it (package tickets owns its meaning).
// Every change rewrites the row with a higher Version, so a replay of an
// older save from the spool changes nothing.
type Ticket struct {
	ID            string    `json:"id"`
	Version       int64     `json:"version"`
	Category      string    `json:"category"`
	Urgency       string    `json:"urgency"`
	State         string    `json:"state"`
	Caller        string    `json:"caller,omitempty"`
	CallerTrusted bool      `json:"caller_trusted"` // the number came from a trusted network: it may be dialled
	Account       string    `json:"account,omitempty"`
	Language      string    `json:"language,omitempty"`
	CallIDs       []string  `json:"call_ids"`
	Recording     string    `json:"recording,omitempty"`
	WorkOrder     string    `json:"work_order,omitempty"`
	ExternalID    string    `json:"external_id,omitempty"`
	Description   string    `json:"description"`
	Owner         string    `json:"owner,omitempty"`
	CreatedBy     string    `json:"created_by,omitempty"`
	Created       time.Time `json:"created_at"`
	Updated       time.Time `json:"updated_at"`
	Due           time.Time `json:"due_at"`
	Answered      time.Time `json:"answered_at,omitzero"`
	Closed        time.Time `json:"closed_at,omitzero"`
	Escalated     time.Time `json:"escalated_at,omitzero"`
	VisitState    string    `json:"visit_state,omitempty"` // "", pending, done, gave_up, skipped
	VisitDue      time.Time `json:"visit_due_at,omitzero"`
	VisitAttempts int       `json:"visit_attempts,omitempty"`
	Satisfaction  int       `json:"satisfaction,omitempty"` // 1-5 from the return visit, 0 none
	Resolved      string    `json:"resolved,omitempty"`     // "yes", "no" from the return visit
	Reopened      int       `json:"reopened,omitempty"`     // how many times it was reopened
}

// TicketChange is one step of a ticket's history: who did what, when, from
// which state to which, and why.
type TicketChange struct {
	TicketID string    `json:"-"`
	Seq      int       `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to"`
	Note     string    `json:"note,omitempty"`
}

// Spooled is a ticket's save as the spool keeps it: the row and the
// change that produced it.
type Spooled struct {
	Ticket Ticket        `json:"ticket"`
	Change *TicketChange `json:"change,omitempty"`
}

var ticketColumns = []string{
	"ticket_id", "version", "category", "urgency", "state", "caller", "caller_trusted", "account", "language", "call_ids",
	"recording", "work_order", "external_id", "description", "owner", "created_by", "created_ms", "updated_ms",
	"due_ms", "answered_ms", "closed_ms", "escalated_ms", "visit_state", "visit_due_ms", "visit_attempts",
	"satisfaction", "resolved", "reopened",
}

var ticketChangeColumns = []string{"ticket_id", "seq", "at_ms", "actor", "action", "from_state", "to_state", "note"}

const (
	maxTicketIDLen   = 64
	maxDescription   = 4000
	maxNoteLen       = 2000
	maxCallIDsLen    = 2048
	maxExternalIDLen = 128
)

// ErrBadTicket: a ticket the store cannot keep.
var ErrBadTicket = errors.New("store: bad ticket")

// Table is the tickets and their histories: reads go to the database,
// saves through the store's writer.
type Table struct {
	h   *sqldb.Handle
	put func(*Spooled) (durable func())
}

// New is the tickets table on h; put hands a save to the store's writer.
func New(h *sqldb.Handle, put func(*Spooled) (durable func())) *Table {
	return &Table{h: h, put: put}
}

// SaveTicket hands a ticket's new row, and the change that made it, to the
// writer: an outage delays them but does not lose them. It never blocks on
// the database; durable, when not nil, waits until the save is on disk or
// written (call it outside any lock).
func (tb *Table) SaveTicket(t Ticket, c *TicketChange) (durable func(), err error) {
	if t.ID == "" || t.Version <= 0 || t.Created.IsZero() {
		return nil, fmt.Errorf("%w: id %q version %d", ErrBadTicket, t.ID, t.Version)
	}
	return tb.put(&Spooled{Ticket: t, Change: c}), nil
}

// Sink writes the spooled saves in the writer's batches.
type Sink struct {
	ticketSQL, ticketChangeSQL string
}

// NewSink prepares the statements for db.
func NewSink(db *sqlx.DB, d sqldb.Dialect) *Sink {
	return &Sink{
		// A ticket's row is replaced only by a later version of it.
		ticketSQL:       db.Rebind(d.InsertSQL("tickets", []string{"ticket_id"}, ticketColumns, "version")),
		ticketChangeSQL: db.Rebind(d.InsertSQL("ticket_changes", []string{"ticket_id", "seq"}, ticketChangeColumns, "")),
	}
}

// Write writes one save in the batch's transaction.
func (k *Sink) Write(ctx context.Context, tx *sqldb.Tx, st *Spooled) error {
	t := st.Ticket
	err := tx.Exec(ctx, k.ticketSQL, sqldb.Clip(t.ID, maxTicketIDLen), t.Version, sqldb.Clip(t.Category, sqldb.MaxShortLen),
		sqldb.Clip(t.Urgency, sqldb.MaxShortLen), sqldb.Clip(t.State, sqldb.MaxShortLen), sqldb.Clip(t.Caller, sqldb.MaxNumberLen), t.CallerTrusted,
		sqldb.Clip(t.Account, sqldb.MaxNumberLen), sqldb.Clip(t.Language, sqldb.MaxLanguageLen),
		sqldb.Clip(strings.Join(t.CallIDs, " "), maxCallIDsLen), sqldb.Clip(t.Recording, sqldb.MaxFileLen),
		sqldb.Clip(t.WorkOrder, sqldb.MaxNumberLen), sqldb.Clip(t.ExternalID, maxExternalIDLen), sqldb.Clip(t.Description, maxDescription),
		sqldb.Clip(t.Owner, sqldb.MaxNameLen), sqldb.Clip(t.CreatedBy, sqldb.MaxNameLen), sqldb.MS(t.Created), sqldb.MS(t.Updated), sqldb.MS(t.Due),
		sqldb.MS(t.Answered), sqldb.MS(t.Closed), sqldb.MS(t.Escalated), sqldb.Clip(t.VisitState, sqldb.MaxShortLen), sqldb.MS(t.VisitDue),
		t.VisitAttempts, t.Satisfaction, sqldb.Clip(t.Resolved, 8), t.Reopened)
	if err != nil || st.Change == nil {
		return err
	}
	c := st.Change
	return tx.Exec(ctx, k.ticketChangeSQL, sqldb.Clip(t.ID, maxTicketIDLen), c.Seq, sqldb.MS(c.At), sqldb.Clip(c.Actor, sqldb.MaxNameLen),
		sqldb.Clip(c.Action, sqldb.MaxShortLen), sqldb.Clip(c.From, sqldb.MaxShortLen), sqldb.Clip(c.To, sqldb.MaxShortLen), sqldb.Clip(c.Note, maxNoteLen))
}
