package tickets

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// View is a ticket with its history and, while it is being worked on,
// whether it is overdue.
type View struct {
	store.Ticket
	Overdue bool                 `json:"overdue"`
	History []store.TicketChange `json:"history"`
}

// Get is ticket id with its history.
func (svc *Service) Get(ctx context.Context, id string) (View, error) {
	e, err := svc.find(ctx, id)
	if err != nil {
		return View{}, err
	}
	return svc.view(e), nil
}

func (svc *Service) view(e *entry) View {
	h := e.history
	if h == nil {
		h = []store.TicketChange{}
	}
	return View{Ticket: e.t, Overdue: overdue(e.t, svc.deps.Clock.Now()), History: h}
}

// Page is one page of a listing; NextBefore continues it.
type Page struct {
	Tickets    []ListItem `json:"tickets"`
	NextBefore string     `json:"next_before,omitempty"`
}

// ListItem is a ticket in a listing.
type ListItem struct {
	store.Ticket
	Overdue bool `json:"overdue"`
}

// List lists tickets newest first, from the store, with the active
// tickets' latest state from memory (a change the writer has not written
// yet is shown as made).
func (svc *Service) List(ctx context.Context, q web.TicketQuery) (Page, error) {
	f, err := svc.filter(q)
	if err != nil {
		return Page{}, err
	}
	rows, err := svc.deps.Store.ListTickets(ctx, f)
	if err != nil {
		return Page{}, fmt.Errorf("%w: tickets: %v", web.ErrUnavailable, err)
	}
	now := svc.deps.Clock.Now()
	page := Page{Tickets: make([]ListItem, 0, len(rows))}
	svc.mu.Lock()
	for _, t := range rows {
		if e := svc.memoryLocked(t.ID); e != nil && e.t.Version > t.Version {
			t = e.t
		}
		page.Tickets = append(page.Tickets, ListItem{Ticket: t, Overdue: overdue(t, now)})
	}
	svc.mu.Unlock()
	if n := len(rows); n > 0 && n == limitOf(f) {
		last := rows[n-1]
		page.NextBefore = strconv.FormatInt(last.Created.UnixMilli(), 10) + "_" + last.ID
	}
	return page, nil
}

func limitOf(f store.TicketFilter) int {
	if f.Limit <= 0 {
		return 100
	}
	return f.Limit
}

func (svc *Service) filter(q web.TicketQuery) (store.TicketFilter, error) {
	f := store.TicketFilter{
		Category: q.Category, Urgency: q.Urgency, Owner: q.Owner, Caller: q.Caller, Account: q.Account,
		From: q.From, To: q.To, Limit: q.Limit,
	}
	for _, s := range q.States {
		if !slices.Contains(States, State(s)) {
			return f, invalid("state %q: want one of open, assigned, answered, closed, return_visited, reopened", s)
		}
		f.States = append(f.States, s)
	}
	if q.Overdue {
		f.OverdueAt = svc.deps.Clock.Now()
	}
	if q.Before != "" {
		msPart, id, ok := strings.Cut(q.Before, "_")
		v, err := strconv.ParseInt(msPart, 10, 64)
		if !ok || err != nil || id == "" {
			return f, invalid("before: want the next_before of the previous page")
		}
		f.BeforeCreated, f.BeforeID = time.UnixMilli(v), id
	}
	return f, nil
}

// CallerHistory is what the agent panel shows when a call arrives: the
// caller's tickets still being followed and their last calls.
type CallerHistory struct {
	Caller    string         `json:"caller"`
	Open      []ListItem     `json:"open_tickets"`
	LastCalls []PanelCallRow `json:"last_calls"`
}

// PanelCallRow is one earlier call as the panel lists it.
type PanelCallRow struct {
	CallID  string    `json:"call_id"`
	Arrived time.Time `json:"arrived_at"`
	Queue   string    `json:"queue,omitempty"`
	Agent   string    `json:"agent,omitempty"`
	Result  string    `json:"result"`
	TalkSec float64   `json:"talk_seconds"`
}

// History is caller's open tickets (from memory) and last five calls.
func (svc *Service) History(ctx context.Context, caller string) (CallerHistory, error) {
	h := CallerHistory{Caller: caller, Open: svc.OpenFor(caller), LastCalls: []PanelCallRow{}}
	if caller == "" {
		return h, nil
	}
	calls, err := svc.deps.Store.LastCalls(ctx, caller, 5)
	if err != nil {
		svc.log.Warn("last calls not read for the panel", "err", err)
		return h, nil // the tickets alone are still worth showing
	}
	for _, c := range calls {
		h.LastCalls = append(h.LastCalls, PanelCallRow{
			CallID: c.CallID, Arrived: c.Arrived, Queue: c.Queue, Agent: c.Agent, Result: string(c.Result),
			TalkSec: c.Talk.Seconds(),
		})
	}
	return h, nil
}

// OpenFor lists caller's tickets still being followed, oldest first.
func (svc *Service) OpenFor(caller string) []ListItem {
	out := []ListItem{}
	if caller == "" {
		return out
	}
	now := svc.deps.Clock.Now()
	svc.mu.Lock()
	for id := range svc.byCaller[caller] {
		t := svc.active[id].t
		if State(t.State) == Closed {
			continue // only awaiting its return visit
		}
		out = append(out, ListItem{Ticket: t, Overdue: overdue(t, now)})
	}
	svc.mu.Unlock()
	slices.SortFunc(out, func(a, b ListItem) int { return a.Created.Compare(b.Created) })
	return out
}

// Owner is the owner of caller's oldest ticket still being followed, if
// it has one: a returning caller is queued for them first.
func (svc *Service) Owner(caller string) string {
	for _, t := range svc.OpenFor(caller) {
		if t.Owner != "" {
			return t.Owner
		}
	}
	return ""
}

// Figures are the ticket figures of [from, to) from the store, with the
// overdue count from memory (exact now).
func (svc *Service) Figures(ctx context.Context, from, to time.Time) (store.TicketFigures, error) {
	f, err := svc.deps.Store.TicketFigures(ctx, from, to, svc.deps.Clock.Now())
	if err != nil {
		return f, fmt.Errorf("%w: ticket figures: %v", web.ErrUnavailable, err)
	}
	return f, nil
}

// RepeatComplainers is the month's callers with five or more complaint
// tickets and those with ten or more, each with their tickets.
type RepeatComplainers struct {
	Month      string                   `json:"month"`
	FiveOrMore []store.RepeatComplainer `json:"five_or_more"`
	TenOrMore  []store.RepeatComplainer `json:"ten_or_more"`
}

// Complainers lists the repeat complainers of the month that starts at
// month (in the report time zone).
func (svc *Service) Complainers(ctx context.Context, month time.Time) (RepeatComplainers, error) {
	end := month.AddDate(0, 1, 0)
	all, err := svc.deps.Store.RepeatComplainers(ctx, month, end, 5)
	if err != nil {
		return RepeatComplainers{}, fmt.Errorf("%w: repeat complainers: %v", web.ErrUnavailable, err)
	}
	out := RepeatComplainers{Month: month.Format("2006-01"), FiveOrMore: all, TenOrMore: []store.RepeatComplainer{}}
	for _, c := range all {
		if c.Complaints >= 10 {
			out.TenOrMore = append(out.TenOrMore, c)
		}
	}
	return out, nil
}
