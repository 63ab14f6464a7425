// Package call holds what every other package agrees on about a call: the
// typed events that each step of its life emits, and the bus that carries
// them to metrics, records and the wallboard. Every figure is derived from
// this one stream, so a replay of events reproduces every figure.
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
	// QueueRequested: the IVR handed the call to Queue.
	QueueRequested
	// CallEnded: the call is over; Result says how it ended.
	CallEnded
)

var kindNames = [...]string{
	CallArrived:     "call_arrived",
	CallAnswered:    "call_answered",
	CallBlocked:     "call_blocked",
	IVRNodeEntered:  "ivr_node_entered",
	LanguageChanged: "language_changed",
	QueueRequested:  "queue_requested",
	CallEnded:       "call_ended",
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
	HangupBy HangupBy      // CallEnded
	Reason   string        // CallEnded, CallBlocked: short machine-readable reason
}

// Subscriber receives events synchronously; it must not block.
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
