package console

import (
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
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
	schedules *reports.Schedules
	tickets   *rest.Tickets
}

func (c *Console) newWork() {
	if c.d.Schedules != nil {
		c.work.schedules = reports.NewSchedules(c.d.Schedules, c.tokens, c.location(), c.now)
	}
	if c.d.Tickets != nil {
		c.work.tickets = rest.NewTickets(c.d.Tickets, c.tokens, c.location(), c.now)
	}
}

func (c *Console) location() *time.Location {
	if c.d.Location != nil {
		return c.d.Location
	}
	return time.UTC
}

// workRoutes serves the Schedules, Tickets and Repeat complainers views.
// Writes need the console header like every console write; the audit log
// records them under the signed-in token, as it does the API's.
func (c *Console) workRoutes(mux webkit.Registrar) {
	if a := c.work.schedules; a != nil {
		mux.HandleFunc("GET /supervisor/api/shifts", c.auth(a.List))
		mux.HandleFunc("POST /supervisor/api/shifts", c.post(c.auth(a.Create)))
		mux.HandleFunc("POST /supervisor/api/shifts/import", c.post(c.auth(a.ImportCSV)))
		mux.HandleFunc("PUT /supervisor/api/shifts/{id}", c.post(c.auth(a.Update)))
		mux.HandleFunc("DELETE /supervisor/api/shifts/{id}", c.post(c.auth(a.Remove)))
		mux.HandleFunc("GET /supervisor/api/adherence", c.auth(a.Live))
	}
	if a := c.work.tickets; a != nil {
		mux.HandleFunc("GET /supervisor/api/tickets", c.auth(a.List))
		mux.HandleFunc("GET /supervisor/api/tickets/{id}", c.auth(a.Get))
		mux.HandleFunc("POST /supervisor/api/tickets/{id}/assign", c.post(c.auth(assignOnly(a.Change))))
		mux.HandleFunc("GET /supervisor/api/repeat-complainers", c.auth(a.Complainers))
	}
}

// assignOnly is the ticket change handler for the one change the console
// makes: giving a ticket to an agent. Answering and closing stay with the
// owner, on the agent panel or the API.
func assignOnly(change func(http.ResponseWriter, *http.Request, webkit.Token)) func(http.ResponseWriter, *http.Request, webkit.Token) {
	return func(w http.ResponseWriter, r *http.Request, t webkit.Token) {
		r.SetPathValue("action", "assign")
		change(w, r, t)
	}
}
