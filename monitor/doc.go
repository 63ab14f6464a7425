// Package monitor is supervisor monitoring: a supervisor listens to an
// agent's call, whispers to the agent or barges in, and switches between
// the three with the keys 1, 2 and 3. It owns the registry of connected
// calls (which agent talks on which bridge), who may monitor whom (the
// supervisor list, swapped whole on reload), the one-session-per-call and
// one-session-per-supervisor reservations, each session's loop, its
// MonitorStarted and MonitorEnded events, its audit entries and the
// hotline_monitor_sessions_total counter.
//
// The call path tells it about connected calls through one hook, Track,
// called when a caller and an agent are bridged; sessions start from the
// HTTP API (Control) or from a supervisor's softphone (ServePhone). A
// Service is built from explicit dependencies (Deps): ringing a
// supervisor's phone, publishing events, the audit sink, prompts, the
// clock and the metrics registry.
//
// The package must not import app, sip or acd, and it takes no other
// part's lock: it sees agents only through Deps.IsAgent and phones only
// through Deps.Phones, and nothing outside it touches its registry.
package monitor
