package agentpanel

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// PanelTickets is the tickets feature as the agent panel uses it. The
// panel names the caller from the agent's own call, never from the
// request, so an agent sees the history of the customer they serve.
type PanelTickets interface {
	// Categories are the categories of the ticket form.
	Categories() []string
	// CallerHistory is a caller's open tickets and last calls.
	CallerHistory(ctx context.Context, caller string) (any, error)
	CreateTicket(ctx context.Context, in rest.TicketInput, actor string) (any, error)
	ChangeTicket(ctx context.Context, id, action string, in rest.TicketChangeInput, actor string) (any, error)
	// CallCustomer rings the agent's phone, then dials the ticket's
	// customer through the callback gateway (the return visit by hand).
	CallCustomer(ctx context.Context, id, agent string) error
}

// WithPanelTickets adds the ticket form and the caller's history to the
// panel.
func WithPanelTickets(t PanelTickets) PanelOption {
	return func(p *Panel) error {
		if t == nil {
			return errors.New("agent panel: nil tickets")
		}
		p.tickets = t
		return nil
	}
}

func (p *Panel) ticketRoutes(mux webkit.Registrar) {
	if p.tickets == nil {
		return
	}
	mux.HandleFunc("GET /agent/api/customer", p.auth(p.customer))
	mux.HandleFunc("POST /agent/api/tickets", p.post(p.auth(p.createTicket)))
	mux.HandleFunc("POST /agent/api/tickets/{id}/{action}", p.post(p.auth(p.changeTicket)))
}

// panelCall is the call the agent serves or served last.
func (p *Panel) panelCall(agent string) (*PanelCall, error) {
	v, err := p.src.PanelView(agent)
	if err != nil {
		return nil, err
	}
	if v.Call == nil {
		return nil, fmt.Errorf("%w: no call to take a ticket for", webkit.ErrConflict)
	}
	return v.Call, nil
}

// customer answers the caller's open tickets and last calls for the
// agent's call (the page asks when a call arrives).
func (p *Panel) customer(w http.ResponseWriter, r *http.Request, agent string) {
	c, err := p.panelCall(agent)
	if err != nil {
		rest.WriteTicketResult(w, 0, nil, err)
		return
	}
	out, err := p.tickets.CallerHistory(r.Context(), c.Caller)
	rest.WriteTicketResult(w, http.StatusOK, out, err)
}

type panelTicketBody struct {
	Category    string `json:"category"`
	Urgency     string `json:"urgency"`
	Description string `json:"description"`
	Account     string `json:"account"`
}

// createTicket opens a ticket for the agent's call, owned by the agent
// (first-contact ownership).
func (p *Panel) createTicket(w http.ResponseWriter, r *http.Request, agent string) {
	var body panelTicketBody
	if err := webkit.DecodeLimited(w, r, &body, rest.MaxTicketBody); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, err := p.panelCall(agent)
	if err != nil {
		rest.WriteTicketResult(w, 0, nil, err)
		return
	}
	account := body.Account
	if account == "" {
		account = c.Vars["account"]
	}
	in := rest.TicketInput{
		Category: body.Category, Urgency: body.Urgency, Description: body.Description, Account: account,
		Caller: c.Caller, CallID: c.CallID, Language: c.Language, Owner: agent,
	}
	out, err := p.tickets.CreateTicket(r.Context(), in, "agent:"+agent)
	rest.WriteTicketResult(w, http.StatusCreated, out, err)
}

// changeTicket acts on a ticket as the agent; "call" rings the agent and
// then the customer for a return visit made by hand.
func (p *Panel) changeTicket(w http.ResponseWriter, r *http.Request, agent string) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if action == "call" {
		err := p.tickets.CallCustomer(r.Context(), id, agent)
		rest.WriteTicketResult(w, http.StatusAccepted, map[string]string{"ticket": id, "calling": "agent"}, err)
		return
	}
	var in rest.TicketChangeInput
	if err := webkit.DecodeLimited(w, r, &in, rest.MaxTicketBody); err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := p.tickets.ChangeTicket(r.Context(), id, action, in, "agent:"+agent)
	rest.WriteTicketResult(w, http.StatusOK, out, err)
}
