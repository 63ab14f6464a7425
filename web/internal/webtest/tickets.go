package webtest

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// Now is the time the fakes answer with.
var Now = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// Ticket is a ticket as the tickets feature answers it.
type Ticket struct {
	ID          string       `json:"id"`
	Version     int64        `json:"version"`
	Category    string       `json:"category"`
	Urgency     string       `json:"urgency"`
	State       string       `json:"state"`
	Caller      string       `json:"caller,omitempty"`
	Owner       string       `json:"owner,omitempty"`
	CallIDs     []string     `json:"call_ids"`
	Description string       `json:"description"`
	Created     time.Time    `json:"created_at"`
	Updated     time.Time    `json:"updated_at"`
	Due         time.Time    `json:"due_at"`
	Overdue     bool         `json:"overdue"`
	History     []TicketStep `json:"history,omitempty"`
}

type TicketStep struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	To     string    `json:"to"`
}

// Tickets is the tickets feature on fakes: ticket "1001" exists and is
// open; closing it is a conflict; a status update signed "sha256=good" is
// taken.
type Tickets struct {
	Calls []string // what the panel asked, in order
}

// TicketView is ticket "1001" in state.
func TicketView(state string) Ticket {
	return Ticket{ID: "1001", Version: 1, Category: "complaint", Urgency: "normal", State: state,
		Caller: "13800000001", CallIDs: []string{"c1"}, Description: "no power", Created: Now, Updated: Now,
		Due:     Now.Add(24 * time.Hour),
		History: []TicketStep{{Seq: 1, At: Now, Actor: "agent:1001", Action: "create", To: "open"}}}
}

func (d *Tickets) CreateTicket(_ context.Context, in rest.TicketInput, actor string) (any, error) {
	if in.Category != "complaint" {
		return nil, fmt.Errorf("%w: category %q: want one of complaint", webkit.ErrInvalid, in.Category)
	}
	d.Calls = append(d.Calls, "create "+actor+" "+in.CallID+" "+in.Owner)
	return TicketView("open"), nil
}

func (d *Tickets) Ticket(_ context.Context, id string) (any, error) {
	if id != "1001" {
		return nil, fmt.Errorf("%w: ticket %q", webkit.ErrNotFound, id)
	}
	return TicketView("open"), nil
}

func (d *Tickets) ListTickets(_ context.Context, q rest.TicketQuery) (any, error) {
	t := TicketView("open")
	t.History = nil
	return map[string]any{"tickets": []Ticket{t}, "next_before": "1764000000000_1001"}, nil
}

func (d *Tickets) ChangeTicket(_ context.Context, id, action string, _ rest.TicketChangeInput, actor string) (any, error) {
	d.Calls = append(d.Calls, action+" "+actor)
	if id != "1001" {
		return nil, fmt.Errorf("%w: ticket %q", webkit.ErrNotFound, id)
	}
	if action == "close" {
		return nil, fmt.Errorf("%w: close a ticket that is open: the customer has not been answered yet", webkit.ErrConflict)
	}
	return TicketView("open"), nil
}

func (d *Tickets) SyncTicket(_ context.Context, _ []byte, signature string) (any, error) {
	if signature != "sha256=good" {
		return nil, fmt.Errorf("%w: bad or missing X-Hotline-Signature", webkit.ErrUnauthorized)
	}
	return TicketView("assigned"), nil
}

func (d *Tickets) TicketFigures(_ context.Context, from, to time.Time) (any, error) {
	return map[string]any{"from": from, "to": to, "opened": 3, "closed": 1, "closed_in_deadline": 1, "overdue": 1,
		"median_close_seconds": 3600.0, "overdue_now": 1, "open_now": 2}, nil
}

func (d *Tickets) RepeatComplainers(_ context.Context, month time.Time) (any, error) {
	return map[string]any{"month": month.Format("2006-01"), "five_or_more": []any{}, "ten_or_more": []any{}}, nil
}

func (d *Tickets) CallerHistory(_ context.Context, caller string) (any, error) {
	t := TicketView("assigned")
	t.History = nil
	return map[string]any{"caller": caller, "open_tickets": []Ticket{t}, "last_calls": []map[string]any{
		{"call_id": "c0", "arrived_at": Now.Add(-time.Hour), "result": "answered_by_agent", "talk_seconds": 60.0},
	}}, nil
}

func (d *Tickets) Categories() []string { return []string{"complaint", "suggestion"} }

func (d *Tickets) CallCustomer(_ context.Context, id, agent string) error {
	d.Calls = append(d.Calls, "call "+id+" "+agent)
	return nil
}
