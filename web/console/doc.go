// Package console serves the supervisor console at /supervisor: the page,
// the sign-in with a supervisor's API token and the session that follows,
// the stream of the floor (agents with adherence, queues, waiting
// callers, ticket counts), moving a waiting caller, and the API's own
// handlers (agent commands, monitoring, notices, reviews, recordings,
// schedules, tickets) behind the console's session and CSRF header.
//
// It changes nothing itself: every change is a command to the controls
// in ConsoleDeps. It must not import web or the agent panel, and it never
// answers a write without the console header.
package console
