// Package rest serves the REST API's resources under /api/v1: agents and
// queues, outage notices, fault reports, quality reviews, tickets,
// supervisors' monitoring, recordings and reload. Each resource checks its
// bearer tokens and roles, its input, and maps its control's errors to
// statuses; the supervisor console and the agent panel serve some of the
// same handlers behind their own sessions.
//
// It changes nothing itself: every change is a command to a control
// interface that app implements. It must not import web or the pages'
// packages (agentpanel, console), nor acd, sip, store or app.
package rest
