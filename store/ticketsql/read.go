package ticketsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store/sqldb"
)

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
		Created: sqldb.FromMS(r.CreatedMS), Updated: sqldb.FromMS(r.UpdatedMS), Due: sqldb.FromMS(r.DueMS),
		Answered: sqldb.MSOrZero(r.AnsweredMS), Closed: sqldb.MSOrZero(r.ClosedMS), Escalated: sqldb.MSOrZero(r.EscalatedMS),
		VisitState: r.VisitState, VisitDue: sqldb.MSOrZero(r.VisitDueMS), VisitAttempts: r.VisitAttempts,
		Satisfaction: r.Satisfaction, Resolved: r.Resolved, Reopened: r.Reopened,
	}
}

var ticketSelect = "SELECT " + strings.Join(ticketColumns, ", ") + " FROM tickets"

// GetTicket reads one ticket and its history; found is false for an
// unknown id.
func (tb *Table) GetTicket(ctx context.Context, id string) (t Ticket, history []TicketChange, found bool, err error) {
	db, err := tb.h.DB()
	if err != nil {
		return Ticket{}, nil, false, err
	}
	var row ticketRow
	err = db.GetContext(ctx, &row, db.Rebind(ticketSelect+" WHERE ticket_id = ?"), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, nil, false, nil
	}
	if err != nil {
		return Ticket{}, nil, false, fmt.Errorf("store: ticket %s: %w", id, err)
	}
	histories, err := tb.TicketHistories(ctx, []string{id})
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
func (tb *Table) TicketHistories(ctx context.Context, ids []string) (map[string][]TicketChange, error) {
	db, err := tb.h.DB()
	if err != nil {
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
		if err := db.SelectContext(ctx, &rows, db.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("store: ticket histories: %w", err)
		}
		for _, r := range rows {
			out[r.TicketID] = append(out[r.TicketID], TicketChange{TicketID: r.TicketID, Seq: r.Seq, At: sqldb.FromMS(r.AtMS),
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
func (tb *Table) ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	if _, err := tb.h.DB(); err != nil {
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
		return tb.listTickets(ctx, f)
	}
	var all []Ticket
	for _, st := range states {
		one := f
		one.States = []string{st}
		rows, err := tb.listTickets(ctx, one)
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
func (tb *Table) listTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
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
		add("due_ms < ?", sqldb.MS(f.OverdueAt))
	}
	if !f.From.IsZero() {
		add("created_ms >= ?", sqldb.MS(f.From))
	}
	if !f.To.IsZero() {
		add("created_ms < ?", sqldb.MS(f.To))
	}
	if !f.BeforeCreated.IsZero() {
		// The first condition alone bounds the index range; the second
		// drops the ties already listed.
		c := sqldb.MS(f.BeforeCreated)
		add("created_ms <= ? AND (created_ms < ? OR ticket_id < ?)", c, c, f.BeforeID)
	}
	q := ticketSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_ms DESC, ticket_id DESC LIMIT ?"
	args = append(args, f.Limit)
	var rows []ticketRow
	if err := db.SelectContext(ctx, &rows, db.Rebind(q), args...); err != nil {
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
func (tb *Table) ActiveTickets(ctx context.Context) ([]Ticket, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	q := ticketSelect + " WHERE state IN (?, ?, ?, ?) UNION ALL " + ticketSelect + " WHERE visit_state = ?"
	var rows []ticketRow
	err = db.SelectContext(ctx, &rows, db.Rebind(q), "open", "assigned", "answered", "reopened", "pending")
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
