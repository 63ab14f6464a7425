package config

import "github.com/hotline-oss/hotline/config/ticketconf"

// The tickets section, its defaults and its checks live in package
// ticketconf; these names keep them where the rest of the server reads the
// configuration.
type (
	Tickets        = ticketconf.Tickets
	TicketDeadline = ticketconf.TicketDeadline
	ReturnVisit    = ticketconf.ReturnVisit
)

// Ticket defaults (see ticketconf).
const (
	DefaultTicketUrgent      = ticketconf.DefaultTicketUrgent
	DefaultTicketNormal      = ticketconf.DefaultTicketNormal
	DefaultTicketOwnerGrace  = ticketconf.DefaultTicketOwnerGrace
	DefaultVisitComplaint    = ticketconf.DefaultVisitComplaint
	DefaultVisitCallingHours = ticketconf.DefaultVisitCallingHours
	DefaultVisitOther        = ticketconf.DefaultVisitOther
	DefaultVisitMaxAttempts  = ticketconf.DefaultVisitMaxAttempts
	DefaultVisitRetryAfter   = ticketconf.DefaultVisitRetryAfter
	DefaultVisitRingTimeout  = ticketconf.DefaultVisitRingTimeout
	DefaultVisitGiveUpAfter  = ticketconf.DefaultVisitGiveUpAfter
)

// validateTickets places the section's reasons under tickets, then checks
// that return visits have a gateway to dial through.
func (c *Config) validateTickets() []error {
	var errs []error
	for _, r := range c.Tickets.Check() {
		errs = append(errs, c.Errorf("tickets", "tickets.%s", r))
	}
	if c.Tickets.ReturnVisit.Enabled && c.CallbackGateway == nil {
		errs = append(errs, c.Errorf("tickets", "tickets.return_visit.enabled: return visits are dialled through callback_gateway, which is not configured"))
	}
	return errs
}
