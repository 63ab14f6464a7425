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

// ReasonNoAnswer is the pause reason of an agent auto-paused after
// unanswered offers (package action names the other reasons).
const ReasonNoAnswer = action.ReasonNoAnswer

// Disposition categories an agent may give a call.
var Categories = []string{"consult", "repair", "billing", "complaint", "suggestion"}
