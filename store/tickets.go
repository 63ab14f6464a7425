package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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

// spooledTicket is a ticket's save as the spool keeps it: the row and the
// change that produced it.
type spooledTicket struct {
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

// SaveTicket hands a ticket's new row, and the change that made it, to the
// writer: an outage delays them but does not lose them. It never blocks on
// the database; durable, when not nil, waits until the save is on disk or
// written (call it outside any lock).
func (s *Store) SaveTicket(t Ticket, c *TicketChange) (durable func(), err error) {
	if t.ID == "" || t.Version <= 0 || t.Created.IsZero() {
		return nil, fmt.Errorf("%w: id %q version %d", ErrBadTicket, t.ID, t.Version)
	}
	return s.pipe.Put(record{Ticket: &spooledTicket{Ticket: t, Change: c}}), nil
}

func (s *dbSink) execTicket(ctx context.Context, tx *batchTx, st *spooledTicket) error {
	t := st.Ticket
	err := tx.exec(ctx, s.side.ticketSQL, clip(t.ID, maxTicketIDLen), t.Version, clip(t.Category, maxShortLen),
		clip(t.Urgency, maxShortLen), clip(t.State, maxShortLen), clip(t.Caller, maxNumberLen), t.CallerTrusted,
		clip(t.Account, maxNumberLen), clip(t.Language, maxLanguageLen),
		clip(strings.Join(t.CallIDs, " "), maxCallIDsLen), clip(t.Recording, maxFileLen),
		clip(t.WorkOrder, maxNumberLen), clip(t.ExternalID, maxExternalIDLen), clip(t.Description, maxDescription),
		clip(t.Owner, maxNameLen), clip(t.CreatedBy, maxNameLen), ms(t.Created), ms(t.Updated), ms(t.Due),
		ms(t.Answered), ms(t.Closed), ms(t.Escalated), clip(t.VisitState, maxShortLen), ms(t.VisitDue),
		t.VisitAttempts, t.Satisfaction, clip(t.Resolved, 8), t.Reopened)
	if err != nil || st.Change == nil {
		return err
	}
	c := st.Change
	return tx.exec(ctx, s.side.ticketChangeSQL, clip(t.ID, maxTicketIDLen), c.Seq, ms(c.At), clip(c.Actor, maxNameLen),
		clip(c.Action, maxShortLen), clip(c.From, maxShortLen), clip(c.To, maxShortLen), clip(c.Note, maxNoteLen))
}

// ticketRow is a tickets row as read.
type ticketRow struct {
	ID            string `db:"ticket_id"`
	Version       int64  `db:"version"`
	Category      string `db:"category"`
	Urgency       string `db:"urgency"`
	State         string `db:"state"`
	Caller        string `db:"caller"`
	CallerTrusted bool   `db:"caller_trusted"`
	Account       string `db:"account"`
	Language      string `db:"language"`
	CallIDs       string `db:"call_ids"`
	Recording     string `db:"recording"`
	WorkOrder     string `db:"work_order"`
	ExternalID    string `db:"external_id"`
	Description   string `db:"description"`
	Owner         string `db:"owner"`
	CreatedBy     string `db:"created_by"`
	CreatedMS     int64  `db:"created_ms"`
	UpdatedMS     int64  `db:"updated_ms"`
	DueMS         int64  `db:"due_ms"`
	AnsweredMS    int64  `db:"answered_ms"`
	ClosedMS      int64  `db:"closed_ms"`
	EscalatedMS   int64  `db:"escalated_ms"`
	VisitState    string `db:"visit_state"`
	VisitDueMS    int64  `db:"visit_due_ms"`
	VisitAttempts int    `db:"visit_attempts"`
	Satisfaction  int    `db:"satisfaction"`
	Resolved      string `db:"resolved"`
	Reopened      int    `db:"reopened"`
}

// msOrZero is fromMS with 0 as "never".
func msOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

func (r ticketRow) ticket() Ticket {
	ids := strings.Fields(r.CallIDs)
	if ids == nil {
		ids = []string{}
	}
	return Ticket{
		ID: r.ID, Version: r.Version, Category: r.Category, Urgency: r.Urgency, State: r.State, Caller: r.Caller,
		CallerTrusted: r.CallerTrusted, Account: r.Account, Language: r.Language, CallIDs: ids,
		Recording: r.Recording, WorkOrder: r.WorkOrder,
		ExternalID: r.ExternalID, Description: r.Description, Owner: r.Owner, CreatedBy: r.CreatedBy,
		Created: fromMS(r.CreatedMS), Updated: fromMS(r.UpdatedMS), Due: fromMS(r.DueMS),
		Answered: msOrZero(r.AnsweredMS), Closed: msOrZero(r.ClosedMS), Escalated: msOrZero(r.EscalatedMS),
		VisitState: r.VisitState, VisitDue: msOrZero(r.VisitDueMS), VisitAttempts: r.VisitAttempts,
		Satisfaction: r.Satisfaction, Resolved: r.Resolved, Reopened: r.Reopened,
	}
}

var ticketSelect = "SELECT " + strings.Join(ticketColumns, ", ") + " FROM tickets"

// GetTicket reads one ticket and its history; found is false for an
// unknown id.
func (s *Store) GetTicket(ctx context.Context, id string) (t Ticket, history []TicketChange, found bool, err error) {
	if err := s.connected(); err != nil {
		return Ticket{}, nil, false, err
	}
	var row ticketRow
	err = s.db().GetContext(ctx, &row, s.db().Rebind(ticketSelect+" WHERE ticket_id = ?"), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, nil, false, nil
	}
	if err != nil {
		return Ticket{}, nil, false, fmt.Errorf("store: ticket %s: %w", id, err)
	}
	histories, err := s.TicketHistories(ctx, []string{id})
	if err != nil {
		return Ticket{}, nil, false, err
	}
	history = histories[id]
	if history == nil {
		history = []TicketChange{}
	}
	return row.ticket(), history, true, nil
}

// TicketHistories reads the histories of tickets ids, in order of seq.
func (s *Store) TicketHistories(ctx context.Context, ids []string) (map[string][]TicketChange, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	out := make(map[string][]TicketChange, len(ids))
	const perQuery = 500
	for start := 0; start < len(ids); start += perQuery {
		part := ids[start:min(start+perQuery, len(ids))]
		var rows []struct {
			TicketID string `db:"ticket_id"`
			Seq      int    `db:"seq"`
			AtMS     int64  `db:"at_ms"`
			Actor    string `db:"actor"`
			Action   string `db:"action"`
			From     string `db:"from_state"`
			To       string `db:"to_state"`
			Note     string `db:"note"`
		}
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		q := "SELECT ticket_id, seq, at_ms, actor, action, from_state, to_state, note FROM ticket_changes " +
			"WHERE ticket_id IN (?" + strings.Repeat(", ?", len(part)-1) + ") ORDER BY ticket_id, seq"
		if err := s.db().SelectContext(ctx, &rows, s.db().Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("store: ticket histories: %w", err)
		}
		for _, r := range rows {
			out[r.TicketID] = append(out[r.TicketID], TicketChange{TicketID: r.TicketID, Seq: r.Seq, At: fromMS(r.AtMS),
				Actor: r.Actor, Action: r.Action, From: r.From, To: r.To, Note: r.Note})
		}
	}
	return out, nil
}

// TicketFilter selects tickets; empty fields select everything.
type TicketFilter struct {
	States     []string
	Category   string
	Urgency    string
	Owner      string
	Caller     string
	Account    string
	ExternalID string
	// OverdueAt, when set, keeps the tickets not yet answered or closed
	// whose deadline is before it.
	OverdueAt time.Time
	From, To  time.Time // created in [From, To)
	// Before continues a listing: only tickets created before this
	// (created_ms, ticket_id) pair, newest first.
	BeforeCreated time.Time
	BeforeID      string
	Limit         int // at most this many (default 100, at most 1000)
}

// ListTickets lists the tickets f selects, newest first. Every filter
// the API offers has an index that starts with its column and ends with
// created_ms, so a page is read from an index in order. Several states
// are read state by state (one ordered index range each) and merged: an
// IN over them would make the database sort every matching row.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	f.Limit = min(max(f.Limit, 0), 1000)
	if f.Limit == 0 {
		f.Limit = 100
	}
	states := f.States
	if len(states) == 0 && !f.OverdueAt.IsZero() {
		states = []string{"open", "assigned", "reopened"}
	}
	if len(states) <= 1 {
		f.States = states
		return s.listTickets(ctx, f)
	}
	var all []Ticket
	for _, st := range states {
		one := f
		one.States = []string{st}
		rows, err := s.listTickets(ctx, one)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
	}
	slices.SortFunc(all, func(a, b Ticket) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return all[:min(len(all), f.Limit)], nil
}

// listTickets runs one listing query (at most one state).
func (s *Store) listTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if len(f.States) == 1 {
		add("state = ?", f.States[0])
	}
	for _, c := range []struct{ col, v string }{{"category", f.Category}, {"urgency", f.Urgency},
		{"owner", f.Owner}, {"caller", f.Caller}, {"account", f.Account}, {"external_id", f.ExternalID}} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	if !f.OverdueAt.IsZero() {
		add("due_ms < ?", ms(f.OverdueAt))
	}
	if !f.From.IsZero() {
		add("created_ms >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("created_ms < ?", ms(f.To))
	}
	if !f.BeforeCreated.IsZero() {
		// The first condition alone bounds the index range; the second
		// drops the ties already listed.
		c := ms(f.BeforeCreated)
		add("created_ms <= ? AND (created_ms < ? OR ticket_id < ?)", c, c, f.BeforeID)
	}
	q := ticketSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_ms DESC, ticket_id DESC LIMIT ?"
	args = append(args, f.Limit)
	var rows []ticketRow
	if err := s.db().SelectContext(ctx, &rows, s.db().Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	out := make([]Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.ticket()
	}
	return out, nil
}

// ActiveTickets lists the tickets still being followed: not yet closed, or
// closed with a return visit to make. The tickets package keeps them in
// memory from the start.
func (s *Store) ActiveTickets(ctx context.Context) ([]Ticket, error) {
	if err := s.connected(); err != nil {
		return nil, err
	}
	q := ticketSelect + " WHERE state IN (?, ?, ?, ?) UNION ALL " + ticketSelect + " WHERE visit_state = ?"
	var rows []ticketRow
	err := s.db().SelectContext(ctx, &rows, s.db().Rebind(q), "open", "assigned", "answered", "reopened", "pending")
	if err != nil {
		return nil, fmt.Errorf("store: active tickets: %w", err)
	}
	out := make([]Ticket, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r.ticket())
		}
	}
	return out, nil
}
