package call

import (
	"sync"
	"time"
)

// Kind names one step in the life of a call.
type Kind uint8

const (
	// CallArrived: an INVITE for a hotline number was accepted for handling.
	CallArrived Kind = iota + 1
	// CallAnswered: the server sent 200 OK; Delay is INVITE → 200 OK.
	CallAnswered
	// CallBlocked: refused for capacity (channel limit, draining, queue full).
	CallBlocked
	// IVRNodeEntered: the IVR moved to Node of Flow.
	IVRNodeEntered
	// LanguageChanged: the caller chose Language.
	LanguageChanged
	// QueueRequested: the IVR handed the call to Queue (on a callback's
	// record, Target is the inbound call it carries on).
	QueueRequested
	// CallEnded: the call is over; Result says how it ended.
	CallEnded

	// Queued: the call entered Queue with Priority.
	Queued
	// Overflowed: the call left Queue for Target (another queue or an IVR
	// node) because of a limit; Reason says which.
	Overflowed
	// Abandoned: the caller hung up while waiting in Queue; Wait is the
	// time spent in the queue.
	Abandoned
	// AgentOffered: Agent's phone is ringing for the call.
	AgentOffered
	// AgentNoAnswer: Agent did not take the offered call (Reason: timeout,
	// busy, declined, failed).
	AgentNoAnswer
	// AgentAnswered: Agent answered; Wait is the call's total queue wait.
	AgentAnswered
	// Held, Unheld: the agent put the caller on hold and took them back.
	Held
	Unheld
	// Transferred: the agent transferred the call (TransferKind blind or
	// attended) to Target.
	Transferred
	// TalkEnded: the talk part of the call ended (HangupBy says who).
	TalkEnded
	// WrapupEnded: the agent finished after-call work.
	WrapupEnded
	// AgentStateChanged: Agent went from PrevState to State (Reason for
	// pauses).
	AgentStateChanged
	// DispositionSet: the agent classified the call (Category, Resolved).
	DispositionSet
	// SurveyAnswered: the caller rated the service (Score 1-5).
	SurveyAnswered

	// NoticePlayed: the caller heard outage notice Detail (its id) for
	// Target (the area).
	NoticePlayed
	// LookupDone: an account look-up finished; Reason is ok, not_found,
	// timeout, error or circuit_open, Detail the service, Delay its duration.
	LookupDone
	// FaultReported: a fault report was filed as work order Detail.
	FaultReported
	// CallbackRequested: the caller chose to be called back (Target is the
	// number, masked in logs); CallbackAttempted: one dial-out attempt,
	// Reason its outcome (answered, busy, no_answer, failed, gave_up).
	CallbackRequested
	CallbackAttempted
	// RecordingSaved: the call's recording was written to file Detail.
	RecordingSaved
	// MonitorStarted, MonitorEnded: supervisor Target monitored Agent's
	// call; Detail is listen, whisper or barge.
	MonitorStarted
	MonitorEnded
	// ConsultStarted, ConsultEnded: Agent placed an internal consult call
	// to agent Target (attended transfer); it is not a hotline call.
	ConsultStarted
	ConsultEnded
	// AdherenceAlert: Agent has been out of schedule adherence for Wait
	// (longer than workforce.alert_after): Detail is the activity planned,
	// State and Reason what the agent is doing instead.
	AdherenceAlert
	// Tickets (package tickets): CallID is empty, Detail the ticket id,
	// Caller its customer, Category its category, State its new state and
	// PrevState the one before, Reason the action (create, assign, answer,
	// close, return_visit, reopen, sync, escalate), Agent its owner.
	TicketOpened
	TicketChanged
	// TicketOverdue: a ticket passed its answer deadline unanswered.
	TicketOverdue
)

var kindNames = [...]string{
	CallArrived:     "call_arrived",
	CallAnswered:    "call_answered",
	CallBlocked:     "call_blocked",
	IVRNodeEntered:  "ivr_node_entered",
	LanguageChanged: "language_changed",
	QueueRequested:  "queue_requested",
	CallEnded:       "call_ended",

	Queued:            "queued",
	Overflowed:        "overflowed",
	Abandoned:         "abandoned",
	AgentOffered:      "agent_offered",
	AgentNoAnswer:     "agent_no_answer",
	AgentAnswered:     "agent_answered",
	Held:              "held",
	Unheld:            "unheld",
	Transferred:       "transferred",
	TalkEnded:         "talk_ended",
	WrapupEnded:       "wrapup_ended",
	AgentStateChanged: "agent_state_changed",
	DispositionSet:    "disposition_set",
	SurveyAnswered:    "survey_answered",

	NoticePlayed:      "notice_played",
	LookupDone:        "lookup_done",
	FaultReported:     "fault_reported",
	CallbackRequested: "callback_requested",
	CallbackAttempted: "callback_attempted",
	RecordingSaved:    "recording_saved",
	MonitorStarted:    "monitor_started",
	MonitorEnded:      "monitor_ended",
	ConsultStarted:    "consult_started",
	ConsultEnded:      "consult_ended",
	AdherenceAlert:    "adherence_alert",
	TicketOpened:      "ticket_opened",
	TicketChanged:     "ticket_changed",
	TicketOverdue:     "ticket_overdue",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// Result is how a call ended, as counted by hotline_calls_total.
type Result string

const (
	ResultAnsweredByAgent  Result = "answered_by_agent"
	ResultSelfService      Result = "self_service"
	ResultAbandonedInIVR   Result = "abandoned_in_ivr"
	ResultAbandonedInQueue Result = "abandoned_in_queue"
	ResultBlocked          Result = "blocked"
	ResultFailed           Result = "failed"
	// ResultCallback: the caller left the queue to be called back; the
	// callback is a call of its own (app/callback.go). It is a record's
	// result only: hotline_calls_total counts the call once, with the
	// callback's own result when that ends.
	ResultCallback Result = "callback"
)

// Results lists every Result so collectors can pre-create their series.
var Results = []Result{
	ResultAnsweredByAgent, ResultSelfService, ResultAbandonedInIVR,
	ResultAbandonedInQueue, ResultBlocked, ResultFailed,
}

// HangupBy says which side ended the call.
type HangupBy string

const (
	HangupByCaller HangupBy = "caller"
	HangupByServer HangupBy = "server"
	HangupByAgent  HangupBy = "agent"
)

// Event is one step of a call. Only the fields that matter for its Kind are
// set; the rest stay zero.
type Event struct {
	Kind   Kind
	Time   time.Time
	CallID string
	Caller string // the caller's number as received; never used as a metric label
	Number string // the dialled hotline number

	Flow     string
	Node     string
	NodeType string
	Language string
	Queue    string
	Priority int

	Delay    time.Duration // CallAnswered: INVITE → 200 OK
	Result   Result        // CallEnded, CallBlocked
	HangupBy HangupBy      // CallEnded, TalkEnded
	Reason   string        // short machine-readable reason (ends, pauses, overflow, no answer)

	Agent        string        // agent id, for agent events
	State        string        // AgentStateChanged: new state
	PrevState    string        // AgentStateChanged: previous state
	Wait         time.Duration // Abandoned, AgentAnswered, Overflowed: time in the queue
	Target       string        // Overflowed, Transferred: where the call went
	TransferKind string        // Transferred: "blind" or "attended"
	Category     string        // DispositionSet: consult, repair, billing, complaint, suggestion
	Resolved     bool          // DispositionSet
	Score        int           // SurveyAnswered: 1-5
	Detail       string        // kind-specific: notice id, work order, recording file, monitor mode
}

// Subscriber receives events synchronously, on the publisher's goroutine,
// which may hold the ACD's lock: it must not block and must do no I/O
// (disk, network, not even a log line per event). A subscriber with slow
// work hands it to a bounded queue and a goroutine of its own, and counts
// what it had to drop or spill.
type Subscriber interface {
	HandleEvent(Event)
}

// SubscriberFunc adapts a function to Subscriber.
type SubscriberFunc func(Event)

func (f SubscriberFunc) HandleEvent(e Event) { f(e) }

// Bus fans events out to subscribers in the order they were published.
// Publishing is synchronous so that the order seen by every subscriber is the
// order of the call; subscribers that do slow work (storage, webhooks) keep
// their own queue.
type Bus struct {
	mu   sync.RWMutex
	subs []Subscriber
}

// Subscribe adds s to the bus.
func (b *Bus) Subscribe(s Subscriber) {
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
}

// Publish delivers e to every subscriber.
func (b *Bus) Publish(e Event) {
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, s := range subs {
		s.HandleEvent(e)
	}
}
