// Package web is the server's HTTP side: the listener, health and
// readiness probes, Prometheus metrics, the OpenAPI description, the
// audit log of every write, the wallboard, and the mounting of the parts
// that live in its sub-packages: the REST API's resources (rest), the
// reports and schedules (reports), the event stream (sse), the agent
// panel (agentpanel) and the supervisor console (console). Their shared
// pieces (tokens, errors, JSON answers, sessions) are in webkit, the
// pages' texts in i18n. The names app and the features use are kept here
// as aliases, so that one import plugs a part in.
//
// It owns HTTP: routing, authentication, input checks and answers. Its
// views are read-only; every change (agent state, dispositions, monitoring,
// notices, reload) is a command it forwards through an interface the app
// package implements (AgentControl, MonitorControl, Reloader, …). It must
// not import acd, sip, store or app, never takes the ACD's lock, and never
// lets a slow client hold up a call: each SSE client has a bounded buffer
// and is dropped when it falls behind. Imports point down: web imports its
// sub-packages, never the other way round.
package web
