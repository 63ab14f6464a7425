package store

import (
	"time"

	"github.com/hotline-oss/hotline/store/cdr"
)

// The call detail record, its queue visits and their outcomes live in
// package cdr with the fold that builds them.
type (
	CallRecord = cdr.CallRecord
	QueueVisit = cdr.QueueVisit
)

// Visit outcomes (see cdr).
const (
	OutcomeAnswered   = cdr.OutcomeAnswered
	OutcomeAbandoned  = cdr.OutcomeAbandoned
	OutcomeOverflowed = cdr.OutcomeOverflowed
	OutcomeEnded      = cdr.OutcomeEnded
	OutcomeCallback   = cdr.OutcomeCallback
)

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

// AgentStatus is an agent's current standing, saved so that logged-in and
// paused agents survive a restart.
type AgentStatus struct {
	Agent   string    `json:"agent"`
	State   string    `json:"state"`            // e.g. available, paused, logged_out
	Reason  string    `json:"reason,omitempty"` // pause reason code
	Queues  []string  `json:"queues,omitempty"` // queues the agent is logged into
	Since   time.Time `json:"since"`
	Updated time.Time `json:"updated"` // a save never replaces a newer one
}

// record is one unit of work for the writer and one line of the spool:
// exactly one field is set.
type record struct {
	Call *CallRecord `json:"call,omitempty"`
	// Provisional marks a call record the Recorder had to end itself (no
	// CallEnded came); it never replaces a record already written.
	Provisional bool              `json:"provisional,omitempty"`
	AgentState  *AgentStateRecord `json:"agent_state,omitempty"`
	Disposition *Disposition      `json:"disposition,omitempty"`
	Survey      *SurveyAnswer     `json:"survey,omitempty"`
	Wrapup      *Wrapup           `json:"wrapup,omitempty"`
	AgentStatus *AgentStatus      `json:"agent_status,omitempty"`
	Audit       *AuditEntry       `json:"audit,omitempty"`
	// Rows that are not built from events (durable.go).
	Recording    *spooledRecording `json:"recording,omitempty"`
	WorkOrder    *spooledWorkOrder `json:"work_order,omitempty"`
	Callback     *spooledCallback  `json:"callback,omitempty"` // callback_ledger.go
	CallbackDone *callbackDone     `json:"callback_done,omitempty"`
	Ticket       *spooledTicket    `json:"ticket,omitempty"` // tickets.go
}

func (r record) Empty() bool {
	return r.Call == nil && r.AgentState == nil && r.Disposition == nil &&
		r.Survey == nil && r.Wrapup == nil && r.AgentStatus == nil && r.Audit == nil &&
		r.Recording == nil && r.WorkOrder == nil && r.Callback == nil && r.CallbackDone == nil &&
		r.Ticket == nil
}

// Column limits shared by both schemas; longer values are cut so that one
// odd value can never make a record unwritable in strict MySQL.
const (
	maxIDLen       = 255
	maxNumberLen   = 64
	maxNameLen     = 128
	maxShortLen    = 32
	maxTargetLen   = 255
	maxFileLen     = 512
	maxLanguageLen = 16
)

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n])
}
