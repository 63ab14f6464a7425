package cdr

import "time"

// The records that come beside a call's own: what its agents and its caller
// added to it, and the agents' state changes. The store writes them as
// they come and reads them back for the call detail and the reports.

// AgentStateRecord is one agent state change. Its duration is the time
// until the agent's next change; reports compute it.
type AgentStateRecord struct {
	Agent     string    `json:"agent"`
	State     string    `json:"state"`
	PrevState string    `json:"prev_state,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// Disposition is an agent's classification of a call.
type Disposition struct {
	CallID   string    `json:"call_id"`
	Agent    string    `json:"agent"`
	Category string    `json:"category"`
	Resolved bool      `json:"resolved"`
	At       time.Time `json:"at"`
}

// SurveyAnswer is the caller's rating of a call, 1-5.
type SurveyAnswer struct {
	CallID string    `json:"call_id"`
	Score  int       `json:"score"`
	At     time.Time `json:"at"`
}

// Wrapup marks the end of an agent's after-call work for a call; ACW is
// from the call's talk end to At.
type Wrapup struct {
	CallID string    `json:"call_id"`
	Agent  string    `json:"agent"`
	At     time.Time `json:"at"`
}
