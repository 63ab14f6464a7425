package tickets

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/signedhttp"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// The Service is the API's web.TicketControl and the panel's
// web.PanelTickets.
var (
	_ web.TicketControl = (*Service)(nil)
	_ web.PanelTickets  = (*Service)(nil)
)

// CreateTicket implements web.TicketControl.
func (svc *Service) CreateTicket(_ context.Context, in web.TicketInput, actor string) (any, error) {
	t, err := svc.Create(NewTicket{
		Category: in.Category, Urgency: in.Urgency, Description: in.Description, Caller: in.Caller,
		Account: in.Account, CallID: in.CallID, Recording: in.Recording, Language: in.Language,
		Owner: in.Owner, ExternalID: in.ExternalID, Actor: actor,
	})
	if err != nil {
		return nil, err
	}
	return svc.Get(context.Background(), t.ID)
}

// Ticket implements web.TicketControl.
func (svc *Service) Ticket(ctx context.Context, id string) (any, error) { return svc.Get(ctx, id) }

// ListTickets implements web.TicketControl.
func (svc *Service) ListTickets(ctx context.Context, q web.TicketQuery) (any, error) {
	return svc.List(ctx, q)
}

// ChangeTicket implements web.TicketControl.
func (svc *Service) ChangeTicket(ctx context.Context, id, action string, in web.TicketChangeInput, actor string) (any, error) {
	t, err := svc.Apply(ctx, id, Change{
		Action: Action(action), Actor: actor, Note: in.Note, Owner: in.Owner,
		Satisfaction: in.Satisfaction, Resolved: in.Resolved,
	})
	if err != nil {
		return nil, err
	}
	return svc.Get(ctx, t.ID)
}

// TicketFigures implements web.TicketControl.
func (svc *Service) TicketFigures(ctx context.Context, from, to time.Time) (any, error) {
	f, err := svc.Figures(ctx, from, to)
	if err != nil {
		return nil, err
	}
	overdueNow, open := svc.Counts()
	return struct {
		store.TicketFigures
		OverdueNow int `json:"overdue_now"`
		OpenNow    int `json:"open_now"`
	}{f, overdueNow, open}, nil
}

// RepeatComplainers implements web.TicketControl.
func (svc *Service) RepeatComplainers(ctx context.Context, month time.Time) (any, error) {
	return svc.Complainers(ctx, month)
}

// Categories implements web.PanelTickets.
func (svc *Service) Categories() []string { return svc.cfg.TicketCategories() }

// CallerHistory implements web.PanelTickets.
func (svc *Service) CallerHistory(ctx context.Context, caller string) (any, error) {
	return svc.History(ctx, caller)
}

// CallCustomer implements web.PanelTickets: the agent's return visit by
// hand. The customer is dialled only through the return-visit dialer's
// policy; the agent then fills in the same form (return_visit).
func (svc *Service) CallCustomer(ctx context.Context, id, agent string) error {
	if svc.deps.AgentCalls == nil {
		return fmt.Errorf("%w: calling customers needs callback_gateway", web.ErrUnavailable)
	}
	e, err := svc.find(ctx, id)
	if err != nil {
		return err
	}
	if e.t.Caller == "" {
		return fmt.Errorf("%w: ticket %s has no number to call", web.ErrConflict, id)
	}
	if !e.t.CallerTrusted {
		return fmt.Errorf("%w: the ticket's number did not come from a trusted network: it is never dialled",
			web.ErrUnprocessable)
	}
	if err := svc.deps.AgentCalls.CallForAgent(ctx, agent, e.t.Caller, id); err != nil {
		if errors.Is(err, ErrVisitRefused) {
			return fmt.Errorf("%w: %v", web.ErrUnprocessable, err)
		}
		return fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	}
	return nil
}

// syncBody is a status update from the work-order system.
type syncBody struct {
	Ticket     string `json:"ticket"`      // our ticket id, or
	ExternalID string `json:"external_id"` // the work order's id in that system
	Action     string `json:"action"`      // assign, answer, close, reopen, note; empty: link only
	Owner      string `json:"owner"`
	Note       string `json:"note"`
}

// SyncTicket implements web.TicketControl. The body must carry the
// signature of tickets.sync_secret; anything else is refused with
// web.ErrUnauthorized before the body is even read.
func (svc *Service) SyncTicket(ctx context.Context, body []byte, signature string) (any, error) {
	if len(svc.syncKey) == 0 {
		return nil, fmt.Errorf("%w: status updates are off (tickets.sync_secret)", web.ErrNotFound)
	}
	want := "sha256=" + signedhttp.Sign(svc.syncKey, body)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		svc.log.Warn("work-order status update refused: bad signature")
		return nil, fmt.Errorf("%w: bad or missing X-Hotline-Signature", web.ErrUnauthorized)
	}
	var in syncBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, invalid("body: %v", err)
	}
	id, err := svc.syncTarget(ctx, in)
	if err != nil {
		return nil, err
	}
	action := Action(in.Action)
	if action == "" {
		action = ActSync
	}
	t, err := svc.Apply(ctx, id, Change{
		Action: action, Actor: "work-order-system", Owner: in.Owner, Note: in.Note, ExternalID: in.ExternalID,
	})
	if err != nil {
		return nil, err
	}
	return svc.Get(ctx, t.ID)
}

// syncTarget finds the ticket an update is about.
func (svc *Service) syncTarget(ctx context.Context, in syncBody) (string, error) {
	if in.Ticket != "" {
		return in.Ticket, nil
	}
	if in.ExternalID == "" {
		return "", invalid("ticket or external_id is required")
	}
	svc.mu.Lock()
	for id, e := range svc.active {
		if strings.EqualFold(e.t.ExternalID, in.ExternalID) {
			svc.mu.Unlock()
			return id, nil
		}
	}
	svc.mu.Unlock()
	rows, err := svc.deps.Store.ListTickets(ctx, store.TicketFilter{ExternalID: in.ExternalID, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("%w: %v", web.ErrUnavailable, err)
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("%w: no ticket with external_id %q", web.ErrNotFound, in.ExternalID)
	}
	return rows[0].ID, nil
}
