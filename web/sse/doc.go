// Package sse is the server-sent-events plumbing: the hub that fans the
// call bus out to API clients (GET /api/v1/events) with a bounded buffer
// per client, the events as integrations see them (EventJSON, also the
// webhooks' bodies), and the opening of the pages' own streams (the
// wallboard, the agent panel, the supervisor console) and the wait
// between their events.
//
// It must not block the bus: a client that falls behind is dropped and
// counted, never waited for. It knows no page, route or control; it must
// not import web or the pages' packages.
package sse
