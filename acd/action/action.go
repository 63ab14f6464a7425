package action

import "time"

// Action is something the runtime must carry out, in the order returned.
type Action interface{ isAction() }

// Queued: the call joined Queue. Position (1 = next) and ExpectedWait are
// given so the runtime can announce them at once; music on hold starts.
type Queued struct {
	CallID       string
	Queue        string
	Position     int
	ExpectedWait time.Duration
}

// Blocked: the queue is full (Reason "queue_full"); the call never joined
// it. The runtime plays a busy message and ends or reroutes the call.
type Blocked struct {
	CallID string
	Reason string
}

// Rejected: no agent is logged in to a queue that rejects callers when
// empty (Reason "no_agents"); the call never joined it.
type Rejected struct {
	CallID string
	Reason string
}

// Offer: ring AgentIDs for the call (several for ring-all), for at most
// Timeout. Report the outcome with OfferAnswered or OfferFailed; if neither
// arrives, Tick withdraws the offer when Timeout runs out.
type Offer struct {
	CallID   string
	AgentIDs []string
	Timeout  time.Duration
}

// CancelOffer: stop ringing AgentID for the call (answered elsewhere, caller
// gone, ring timeout, agent paused or logged out).
type CancelOffer struct {
	CallID  string
	AgentID string
}

// Connect: AgentID answered; bridge the caller to the agent's leg. With
// AnnounceAgent, first tell the caller WorkNumber ("agent 1024 will serve
// you").
type Connect struct {
	CallID        string
	AgentID       string
	WorkNumber    string
	AnnounceAgent bool
}

// Announce: tell a waiting caller their Position (1 = next) and
// ExpectedWait, then resume music on hold.
type Announce struct {
	CallID       string
	Position     int
	ExpectedWait time.Duration
}

// Overflow: the caller waited the queue's MaxWait and leaves it for Target
// ("queue:<name>", which the runtime enters with Enqueue, or "ivr:<node>").
type Overflow struct {
	CallID string
	Target string
}

// Leave: the last agent logged out of a queue that empties itself; the
// caller leaves it (Reason "no_agents") and the runtime decides what next.
type Leave struct {
	CallID string
	Reason string
}

// StartWrapup: AgentID is in after-call work until Until (the agent panel
// may show a countdown); AgentReady ends it early.
type StartWrapup struct {
	AgentID string
	Until   time.Time
}

func (Queued) isAction()      {}
func (Blocked) isAction()     {}
func (Rejected) isAction()    {}
func (Offer) isAction()       {}
func (CancelOffer) isAction() {}
func (Connect) isAction()     {}
func (Announce) isAction()    {}
func (Overflow) isAction()    {}
func (Leave) isAction()       {}
func (StartWrapup) isAction() {}

// Machine-readable reasons carried by actions and events.
const (
	ReasonQueueFull         = "queue_full"         // Blocked
	ReasonNoAgents          = "no_agents"          // Rejected, Leave
	ReasonMaxWait           = "max_wait"           // Overflowed event
	ReasonNoAnswer          = "no_answer"          // auto-pause
	ReasonCallerAbandoned   = "caller_abandoned"   // offer withdrawn: caller hung up
	ReasonAnsweredElsewhere = "answered_elsewhere" // ring-all: another agent answered
	ReasonTransferred       = "transferred"        // TalkEnded after a transfer
	ReasonMoved             = "moved"              // Overflowed: a supervisor moved the caller
	ReasonQueueRemoved      = "queue_removed"      // Overflow, Leave: a reload removed the queue and nobody serves it
)

// TargetAgent is the kind of a Transferred target naming an agent.
const TargetAgent = "agent"
