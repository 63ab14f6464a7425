// Package tickets follows complaints, suggestions, fault reports and
// consultations left unresolved from the call that raised them to their
// closure and the return visit that asks the customer whether they are
// satisfied.
//
// It owns the tickets being followed (in memory, loaded from the store at
// start), their lifecycle (open → assigned → answered → closed →
// return-visited, or reopened), the answer deadlines and their escalation,
// the return-visit calls and their survey, and its metrics. Every change
// is written through the store's spool and published on the event bus,
// where the signed webhooks carry it to an external work-order system; a
// status update from that system comes back through Sync.
//
// It plugs in from outside: the call path asks it for a returning
// caller's ticket owner (Hooks), the web package calls it through
// web.TicketControl, fault reports reach it as FaultReported events.
//
// It must not: import the call path or another feature; take anyone
// else's lock; read the clock other than through its Clock; dial a number
// that did not pass the dial policy.
package tickets
