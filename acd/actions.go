package acd

import "github.com/hotline-oss/hotline/acd/action"

// The actions the ACD returns are package action's; its API names them as
// it always has (see there for what each asks of the runtime).
type (
	Action      = action.Action
	Queued      = action.Queued
	Blocked     = action.Blocked
	Rejected    = action.Rejected
	Offer       = action.Offer
	CancelOffer = action.CancelOffer
	Connect     = action.Connect
	Announce    = action.Announce
	Overflow    = action.Overflow
	Leave       = action.Leave
	StartWrapup = action.StartWrapup
)

// OfferFailure says why an agent did not take an offered call.
type OfferFailure = action.OfferFailure

// Offer failures (see package action).
const (
	FailTimeout  = action.FailTimeout
	FailBusy     = action.FailBusy
	FailDeclined = action.FailDeclined
	FailFailed   = action.FailFailed
)

// TransferKind is how an agent transferred a call.
type TransferKind = action.TransferKind

// Transfer kinds, as in the call.Transferred event.
const (
	TransferBlind    = action.TransferBlind
	TransferAttended = action.TransferAttended
)

// Machine-readable reasons carried by actions and events.
const (
	ReasonQueueFull         = "queue_full"         // Blocked
	ReasonNoAgents          = "no_agents"          // Rejected, Leave
	ReasonMaxWait           = "max_wait"           // Overflowed event
	ReasonNoAnswer          = "no_answer"          // auto-pause
	ReasonCallerAbandoned   = "caller_abandoned"   // offer withdrawn: caller hung up
	ReasonAnsweredElsewhere = "answered_elsewhere" // ring-all: another agent answered
	ReasonTransferred       = "transferred"        // TalkEnded after a transfer
)

// Disposition categories an agent may give a call.
var Categories = []string{"consult", "repair", "billing", "complaint", "suggestion"}
