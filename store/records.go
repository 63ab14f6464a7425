package store

import (
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/report"
)

// CallRecord is the call detail record of one call: everything the event
// stream said about it, folded into one row of the calls table. Zero times
// mean the step never happened.
type CallRecord struct {
	CallID   string            `json:"call_id"`
	Caller   string            `json:"caller"`
	Number   string            `json:"number"`
	Language string            `json:"language,omitempty"`
	Flow     string            `json:"flow,omitempty"`
	Path     []string          `json:"path,omitempty"` // IVR node names in the order entered
	Vars     map[string]string `json:"vars,omitempty"` // digits collected by the IVR (account numbers: mask before logging)
	Queue    string            `json:"queue,omitempty"`
	Agent    string            `json:"agent,omitempty"` // first agent who answered
	Priority int               `json:"priority,omitempty"`

	Arrived       time.Time `json:"arrived"`
	Answered      time.Time `json:"answered,omitzero"` // 200 OK sent by the server
	IVREnded      time.Time `json:"ivr_ended,omitzero"`
	Queued        time.Time `json:"queued,omitzero"`
	AgentOffered  time.Time `json:"agent_offered,omitzero"` // first offer
	AgentAnswered time.Time `json:"agent_answered,omitzero"`
	TalkEnded     time.Time `json:"talk_ended,omitzero"` // last agent's
	Ended         time.Time `json:"ended,omitzero"`

	AgentOffers    int           `json:"agent_offers,omitempty"`
	Talk           time.Duration `json:"talk,omitempty"` // hold-free talk, summed over every agent who answered
	Hold           time.Duration `json:"hold,omitempty"`
	HoldCount      int           `json:"hold_count,omitempty"`
	TransferKind   string        `json:"transfer_kind,omitempty"`
	TransferTarget string        `json:"transfer_target,omitempty"`
	HangupBy       call.HangupBy `json:"hangup_by,omitempty"`
	Result         call.Result   `json:"result"`
	EndReason      string        `json:"end_reason,omitempty"`
	RecordingFile  string        `json:"recording_file,omitempty"`
	AnswerDelay    time.Duration `json:"answer_delay,omitempty"`
	QueueWait      time.Duration `json:"queue_wait,omitempty"`

	// Visits are the call's stays in queues, in order: one per Queued
	// event, so an overflowed call counts as offered in every queue it
	// entered.
	Visits []QueueVisit `json:"visits,omitempty"`
}

// Visit outcomes (the reports count by them; see package report).
const (
	OutcomeAnswered   = report.OutcomeAnswered
	OutcomeAbandoned  = report.OutcomeAbandoned
	OutcomeOverflowed = report.OutcomeOverflowed
	OutcomeEnded      = report.OutcomeEnded
	OutcomeCallback   = report.OutcomeCallback
)

// QueueVisit is one stay of a call in one queue and, when an agent
// answered it there, that agent's part of the call: a call transferred
// back into a queue has one answered visit per agent.
type QueueVisit struct {
	Seq      int           `json:"seq"`
	Queue    string        `json:"queue"`
	Priority int           `json:"priority,omitempty"`
	Queued   time.Time     `json:"queued"`
	Left     time.Time     `json:"left,omitzero"` // answered, abandoned, overflowed or ended
	Outcome  string        `json:"outcome,omitempty"`
	Wait     time.Duration `json:"wait,omitempty"`
	// Target is where it overflowed to; on a callback's record, the
	// inbound call whose visit this one carries on to its end.
	Target string `json:"target,omitempty"`

	Agent        string        `json:"agent,omitempty"` // who answered, for OutcomeAnswered
	TalkEnded    time.Time     `json:"talk_ended,omitzero"`
	Talk         time.Duration `json:"talk,omitempty"` // hold-free
	Hold         time.Duration `json:"hold,omitempty"`
	TransferKind string        `json:"transfer_kind,omitempty"` // the agent transferred the call away
}

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
