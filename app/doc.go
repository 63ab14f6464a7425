// Package app is the composition root: it compiles the configuration into
// a snapshot (app/snapshot), builds the parts from it — prompts, the media
// engine, the SIP endpoint, queueing, the call path, the features,
// metrics, records and HTTP — wires the features into the call path's
// hooks (callpath.go) and applies a reload to each part (reload.go; what
// applies live and what needs a restart is app/reload's). The adapters to
// the web package's interfaces are app/webadapt's, the SIP endpoint's
// settings app/sipsetup's, the node of a cluster app/clusternode's (the
// server hands it its parts in cluster.go). cmd/hotline and the end-to-end tests both start
// the server through it.
//
// What it must not do: hold call logic (that is callflow), decide who gets
// a call (acd) or what the IVR does next (ivr); reach past the queueing
// interface into the ACD or take another part's lock; read the wall clock
// where the server's injected clock is meant.
package app
