package action

// OfferFailure says why an agent did not take an offered call. The values
// are the Reason of the call.AgentNoAnswer event.
type OfferFailure string

// Offer failures. Timeout and Failed count towards auto-pause; Busy,
// Declined and Failed put the agent in busy backoff.
const (
	FailTimeout  OfferFailure = "timeout"
	FailBusy     OfferFailure = "busy"
	FailDeclined OfferFailure = "declined"
	FailFailed   OfferFailure = "failed"
)

// Valid reports whether f is one of the documented failures.
func (f OfferFailure) Valid() bool {
	return f == FailTimeout || f == FailBusy || f == FailDeclined || f == FailFailed
}

// CountsAsNoAnswer: the failure counts towards a queue's auto-pause.
func (f OfferFailure) CountsAsNoAnswer() bool { return f == FailTimeout || f == FailFailed }

// BacksOff: the failure puts the agent in busy backoff.
func (f OfferFailure) BacksOff() bool { return f != FailTimeout }

// TransferKind is how an agent transferred a call.
type TransferKind string

// Transfer kinds, as in the call.Transferred event.
const (
	TransferBlind    TransferKind = "blind"
	TransferAttended TransferKind = "attended"
)
