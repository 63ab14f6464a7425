package web

import (
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/console"
	"github.com/hotline-oss/hotline/web/reports"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// The With methods mount each part on the server: app calls the ones
// whose features are configured, before Start. The parts' routes are in
// their packages; what is here is the server's clock, language and
// shutdown handed to them.

// WithAPI adds the REST API under /api/v1 (token auth).
func (s *Server) WithAPI(control AgentControl, tokens []Token, opts ...APIOption) error {
	a, err := rest.NewAgents(control, tokens, opts...)
	if err != nil {
		return err
	}
	a.Routes(s.mux)
	return nil
}

// WithNotices adds the outage-notice API (supervisor role).
func (s *Server) WithNotices(ctl NoticeControl, tokens []Token) {
	rest.NewNotices(ctl, tokens).Routes(s.mux)
}

// Mount serves h under pattern (e.g. the built-in demo services).
func (s *Server) Mount(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// WithFaults adds the fault-report API (supervisor role).
func (s *Server) WithFaults(ctl FaultControl, tokens []Token) {
	rest.FaultRoutes(s.mux, s.now, ctl, tokens)
}

// WithReviews adds the quality-review API: forms, the month's review
// queue, saving a review and the scores (supervisor role); an agent token
// lists and acknowledges its own agent's reviews.
func (s *Server) WithReviews(ctl ReviewControl, tokens []Token, loc *time.Location) {
	rest.NewReviews(ctl, tokens, loc, s.now).Routes(s.mux)
}

// WithTickets adds the tickets API, and the work-order system's signed
// status updates.
func (s *Server) WithTickets(ctl TicketControl, tokens []Token, loc *time.Location) {
	rest.NewTickets(ctl, tokens, loc, s.now).Routes(s.mux)
}

// WithMonitor adds POST /api/v1/monitor (supervisor role).
func (s *Server) WithMonitor(ctrl MonitorControl, tokens []Token) {
	rest.MonitorRoutes(s.mux, ctrl, tokens)
}

// WithRecordings adds the recordings: the list and each call's WAV
// (supervisor role).
func (s *Server) WithRecordings(r Recordings, tokens []Token, defaultLoc *time.Location) {
	rest.RecordingRoutes(s.mux, s.now, r, tokens, defaultLoc)
}

// WithReload adds POST /api/v1/reload (admin role).
func (s *Server) WithReload(r Reloader, tokens []Token) {
	rest.ReloadRoutes(s.mux, r, tokens)
}

// WithReports adds /api/v1/reports/{interval,agents,repeat-callers}
// (admin role).
func (s *Server) WithReports(r Reports, tokens []Token, defaultLoc *time.Location) {
	reports.Routes(s.mux, s.now, r, tokens, defaultLoc)
}

// WithWorkforceReports adds /api/v1/reports/{adherence,attendance,monthly}
// (admin role, like the other reports).
func (s *Server) WithWorkforceReports(r WorkforceReports, tokens []Token, defaultLoc *time.Location) {
	reports.WorkforceRoutes(s.mux, s.now, r, tokens, defaultLoc)
}

// WithSchedules adds the schedule API (supervisor role; an agent may read
// its own day).
func (s *Server) WithSchedules(ctl ScheduleControl, tokens []Token, loc *time.Location) {
	reports.NewSchedules(ctl, tokens, loc, s.now).Routes(s.mux)
}

// WithEvents adds GET /api/v1/events, a Server-Sent Events stream of call
// and agent events (supervisor role). Query: kinds=call_ended,agent_answered.
// Streams end when the server shuts down.
func (s *Server) WithEvents(hub *EventHub, tokens []Token) {
	s.mux.HandleFunc("GET /api/v1/events", webkit.Guard{Tokens: tokens}.Auth(RoleSupervisor, hub.Serve))
	s.srv.RegisterOnShutdown(hub.Close)
}

// WithAgentPanel serves the agents' panel at /agent: each agent logs in
// with the password of their SIP account and sees and changes only their
// own state and call.
func (s *Server) WithAgentPanel(src AgentPanelSource, passwords PanelPasswords, opts ...PanelOption) error {
	first := []PanelOption{agentpanel.WithPanelClock(s.now), agentpanel.WithPageLanguage(s.lang)}
	p, err := agentpanel.New(src, passwords, s.log, append(first, opts...)...)
	if err != nil {
		return err
	}
	s.srv.RegisterOnShutdown(p.Shutdown)
	p.Routes(s.mux)
	return nil
}

// WithConsole serves the supervisor console at /supervisor, and POST
// /api/v1/calls/{call_id}/move for API clients.
func (s *Server) WithConsole(d ConsoleDeps, tokens []Token) error {
	c, err := console.New(d, tokens, s.now, s.lang)
	if err != nil {
		return err
	}
	s.srv.RegisterOnShutdown(c.Shutdown)
	c.Routes(s.mux)
	return nil
}
