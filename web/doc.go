// Package web serves the server's HTTP side: health and readiness probes,
// Prometheus metrics, the REST API with its tokens and roles, the
// Server-Sent Events stream, the wallboard, the agent panel, reports,
// recordings, notices, fault reports, reload, the audit log and the OpenAPI
// description.
//
// It owns HTTP: routing, authentication, input checks and answers. Its
// views are read-only; every change (agent state, dispositions, monitoring,
// notices, reload) is a command it forwards through an interface the app
// package implements (AgentControl, MonitorControl, Reloader, …). It must
// not import acd, sip, store or app, never takes the ACD's lock, and never
// lets a slow client hold up a call: each SSE client has a bounded buffer
// and is dropped when it falls behind.
package web
