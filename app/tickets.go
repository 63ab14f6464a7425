package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/tickets"
	"github.com/hotline-oss/hotline/tickets/visitcall"
	"github.com/hotline-oss/hotline/web"
)

// knownForVisits is how far back a number must have called in to be
// dialled for a return visit.
const knownForVisits = 400 * 24 * time.Hour

// startTickets builds the tickets feature (package tickets) with its
// return-visit dialer. It runs after SIP is built (the dialer uses it)
// and before the call path, which asks it for a returning caller's
// ticket owner. Without a store there are no tickets.
func (s *Server) startTickets() error {
	if s.store == nil {
		return nil
	}
	deps := tickets.Deps{
		Store: s.store, Registry: s.metrics.Registry(), Publish: s.bus.Publish, Clock: s.clock, Log: s.log,
	}
	if n := s.cluster; n != nil {
		// The nodes share the tickets through the database; the leader
		// alone escalates and makes the return visits.
		deps.Shared = true
		deps.Leads = n.Leading
	}
	visits, err := visitcall.New(s.cfg, visitcall.Deps{
		SIP: s.sip, Prompts: s.prompts, Clock: s.clock, Log: s.log, Known: s.calledIn,
		Routes: s.callbackRoutes(), // trunks.go
	})
	if err != nil {
		return err
	}
	if visits != nil {
		deps.AgentCalls = visits
		if s.cfg.Tickets.ReturnVisit.Enabled {
			deps.Visits = visits
		}
	}
	svc, err := tickets.New(s.cfg, deps)
	if err != nil {
		return err
	}
	s.tickets = svc
	s.ticketTicker = time.NewTicker(tickets.SweepEvery)
	svc.Run(s.ticketTicker.C)
	return nil
}

// calledIn reports whether number called the hotline in the last 400
// days: the records say so, or the call is in progress.
func (s *Server) calledIn(number string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, err := s.store.CalledSince(ctx, number, s.clock.Now().Add(-knownForVisits))
	if err != nil {
		s.log.Warn("return visit: number check failed; not dialling", "err", err)
		return false
	}
	return ok
}

// closeTickets stops the sweep and waits for return visits in flight.
func (s *Server) closeTickets() {
	if s.ticketTicker != nil {
		s.ticketTicker.Stop()
	}
	s.tickets.Close()
}

// faultFiled opens a fault ticket for a report filed in the IVR.
func (s *Server) faultFiled(f callflow.FaultFiled) {
	s.tickets.FaultFiled(tickets.FaultReport{
		CallID: f.CallID, Caller: f.Caller, Account: f.Account, Recording: f.Recording,
		WorkOrder: f.WorkOrder, Language: f.Language, CallerTrusted: f.CallerTrusted,
	})
}

// wallboardTickets shows the overdue and open ticket counts on the
// wallboard.
func (s *Server) wallboardTickets() []web.WallboardOption {
	if s.tickets == nil {
		return nil
	}
	return []web.WallboardOption{web.WithWallboardTickets(func() any {
		overdue, open := s.tickets.Counts()
		return map[string]int{"overdue": overdue, "open": open}
	})}
}

// mountTickets serves the tickets API (list, filter, changes, figures,
// repeat complainers, the work-order system's status updates).
func (s *Server) mountTickets() {
	if s.tickets == nil {
		return
	}
	s.web.WithTickets(s.tickets, apiTokens(s), s.cfg.ReportLocation())
}
