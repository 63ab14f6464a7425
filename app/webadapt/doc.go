// Package webadapt adapts the server's parts to the interfaces package web
// serves: the ACD's agents and queues for the REST API and the agent
// panel, the floor for the supervisor console, the record store's
// reports, recordings and audit trail, the wallboard with adherence, and
// the call details an agent sees on the panel (CallTracker).
//
// It owns the translation between the parts' types and web's views and
// errors (ErrNotFound, ErrUnavailable, …). It must not hold state of its
// own beyond the call tracker, change anything except through the parts'
// own commands, take another part's lock, or import app.
package webadapt
