package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// PanelTickets is the tickets feature as the agent panel uses it. The
// panel names the caller from the agent's own call, never from the
// request, so an agent sees the history of the customer they serve.
type PanelTickets interface {
	// Categories are the categories of the ticket form.
	Categories() []string
	// CallerHistory is a caller's open tickets and last calls.
	CallerHistory(ctx context.Context, caller string) (any, error)
	CreateTicket(ctx context.Context, in TicketInput, actor string) (any, error)
	ChangeTicket(ctx context.Context, id, action string, in TicketChangeInput, actor string) (any, error)
	// CallCustomer rings the agent's phone, then dials the ticket's
	// customer through the callback gateway (the return visit by hand).
	CallCustomer(ctx context.Context, id, agent string) error
}

// WithPanelTickets adds the ticket form and the caller's history to the
// panel.
func WithPanelTickets(t PanelTickets) PanelOption {
	return func(p *agentPanel) error {
		if t == nil {
			return errors.New("agent panel: nil tickets")
		}
		p.tickets = t
		return nil
	}
}

func (p *agentPanel) ticketRoutes(mux handlerRegistrar) {
	if p.tickets == nil {
		return
	}
	mux.HandleFunc("GET /agent/api/customer", p.auth(p.customer))
	mux.HandleFunc("POST /agent/api/tickets", p.post(p.auth(p.createTicket)))
	mux.HandleFunc("POST /agent/api/tickets/{id}/{action}", p.post(p.auth(p.changeTicket)))
}

// panelCall is the call the agent serves or served last.
func (p *agentPanel) panelCall(agent string) (*PanelCall, error) {
	v, err := p.src.PanelView(agent)
	if err != nil {
		return nil, err
	}
	if v.Call == nil {
		return nil, fmt.Errorf("%w: no call to take a ticket for", ErrConflict)
	}
	return v.Call, nil
}

// customer answers the caller's open tickets and last calls for the
// agent's call (the page asks when a call arrives).
func (p *agentPanel) customer(w http.ResponseWriter, r *http.Request, agent string) {
	c, err := p.panelCall(agent)
	if err != nil {
		writeTicketResult(w, 0, nil, err)
		return
	}
	out, err := p.tickets.CallerHistory(r.Context(), c.Caller)
	writeTicketResult(w, http.StatusOK, out, err)
}

type panelTicketBody struct {
	Category    string `json:"category"`
	Urgency     string `json:"urgency"`
	Description string `json:"description"`
	Account     string `json:"account"`
}

// createTicket opens a ticket for the agent's call, owned by the agent
// (first-contact ownership).
func (p *agentPanel) createTicket(w http.ResponseWriter, r *http.Request, agent string) {
	var body panelTicketBody
	if err := decodeLimited(w, r, &body, maxTicketBody); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, err := p.panelCall(agent)
	if err != nil {
		writeTicketResult(w, 0, nil, err)
		return
	}
	account := body.Account
	if account == "" {
		account = c.Vars["account"]
	}
	in := TicketInput{
		Category: body.Category, Urgency: body.Urgency, Description: body.Description, Account: account,
		Caller: c.Caller, CallID: c.CallID, Language: c.Language, Owner: agent,
	}
	out, err := p.tickets.CreateTicket(r.Context(), in, "agent:"+agent)
	writeTicketResult(w, http.StatusCreated, out, err)
}

// changeTicket acts on a ticket as the agent; "call" rings the agent and
// then the customer for a return visit made by hand.
func (p *agentPanel) changeTicket(w http.ResponseWriter, r *http.Request, agent string) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if action == "call" {
		err := p.tickets.CallCustomer(r.Context(), id, agent)
		writeTicketResult(w, http.StatusAccepted, map[string]string{"ticket": id, "calling": "agent"}, err)
		return
	}
	var in TicketChangeInput
	if err := decodeLimited(w, r, &in, maxTicketBody); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, err := p.tickets.ChangeTicket(r.Context(), id, action, in, "agent:"+agent)
	writeTicketResult(w, http.StatusOK, out, err)
}
