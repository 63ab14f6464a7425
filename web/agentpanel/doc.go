// Package agentpanel serves the agents' panel at /agent: the page, the
// sign-in with the agent's SIP password (sessions, lockout after repeated
// failures), the agent's own state and disposition, the stream of the
// agent's view, and, when wired, the agent's quality reviews and the
// ticket form with the caller's history.
//
// An agent sees and changes only their own state and call: the agent
// comes from the session, never from the request. It changes nothing
// itself (every change is a command to AgentPanelSource or the tickets
// and reviews it is given) and must not import web or the console.
package agentpanel
