package cdr

import (
	"time"

	"github.com/hotline-oss/hotline/call"
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

// Visit outcomes.
const (
	OutcomeAnswered   = "answered"
	OutcomeAbandoned  = "abandoned"
	OutcomeOverflowed = "overflowed"
	OutcomeEnded      = "ended" // the call ended in the queue without an Abandoned event
	// OutcomeCallback: the caller left the queue to be called back. The
	// visit is offered here; its answer or abandon is on the callback's
	// record, whose visit names this call in Target.
	OutcomeCallback = "callback"
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
