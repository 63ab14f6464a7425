package web

import (
	"net/http"
	"time"
)

// TicketCounts are the tickets being worked on now: the console's header
// shows them with every floor update.
type TicketCounts struct {
	Overdue int `json:"overdue"`
	Open    int `json:"open"`
}

// TicketCountSource gives the ticket counts now (package tickets, kept in
// memory: cheap enough to ask every second).
type TicketCountSource func() TicketCounts

// consoleWork holds the console's schedule and ticket views. They are the
// API's own handlers behind the console's session: the same validation,
// the same services, the signed-in token as the author.
type consoleWork struct {
	schedules *scheduleAPI
	tickets   *ticketAPI
}

func (c *console) newWork(s *Server) {
	if c.d.Schedules != nil {
		c.work.schedules = &scheduleAPI{api: api{tokens: c.tokens}, ctl: c.d.Schedules, loc: c.location(), now: s.now}
	}
	if c.d.Tickets != nil {
		c.work.tickets = &ticketAPI{api: api{tokens: c.tokens}, ctl: c.d.Tickets, loc: c.location(), now: s.now}
	}
}

func (c *console) location() *time.Location {
	if c.d.Location != nil {
		return c.d.Location
	}
	return time.UTC
}

// workRoutes serves the Schedules, Tickets and Repeat complainers views.
// Writes need the console header like every console write; the audit log
// records them under the signed-in token, as it does the API's.
func (c *console) workRoutes(mux handlerRegistrar) {
	if a := c.work.schedules; a != nil {
		mux.HandleFunc("GET /supervisor/api/shifts", c.auth(a.list))
		mux.HandleFunc("POST /supervisor/api/shifts", c.post(c.auth(a.create)))
		mux.HandleFunc("POST /supervisor/api/shifts/import", c.post(c.auth(a.importCSV)))
		mux.HandleFunc("PUT /supervisor/api/shifts/{id}", c.post(c.auth(a.update)))
		mux.HandleFunc("DELETE /supervisor/api/shifts/{id}", c.post(c.auth(a.remove)))
		mux.HandleFunc("GET /supervisor/api/adherence", c.auth(a.live))
	}
	if a := c.work.tickets; a != nil {
		mux.HandleFunc("GET /supervisor/api/tickets", c.auth(a.list))
		mux.HandleFunc("GET /supervisor/api/tickets/{id}", c.auth(a.get))
		mux.HandleFunc("POST /supervisor/api/tickets/{id}/assign", c.post(c.auth(assignOnly(a.change))))
		mux.HandleFunc("GET /supervisor/api/repeat-complainers", c.auth(a.complainers))
	}
}

// assignOnly is the ticket change handler for the one change the console
// makes: giving a ticket to an agent. Answering and closing stay with the
// owner, on the agent panel or the API.
func assignOnly(change func(http.ResponseWriter, *http.Request, Token)) func(http.ResponseWriter, *http.Request, Token) {
	return func(w http.ResponseWriter, r *http.Request, t Token) {
		r.SetPathValue("action", "assign")
		change(w, r, t)
	}
}
