package dialpolicy

// Reason says why a callback was refused. The set is fixed: it labels the
// hotline_callbacks_refused_total metric and the audit entries.
type Reason string

const (
	// UntrustedSource: the call did not come from a trusted network, so
	// its caller number is a claim and no callback is offered.
	UntrustedSource Reason = "untrusted_source"
	// NotAllowed: the number matches no allowed pattern, or a denied one.
	NotAllowed Reason = "not_allowed"
	// NotKnown: another number than the caller's own that never called
	// the hotline.
	NotKnown Reason = "not_known"
	// NotConfirmed: the caller did not confirm the number read back.
	NotConfirmed Reason = "not_confirmed"
	// NumberCap: the number had its share of callbacks in the last 24 h.
	NumberCap Reason = "number_cap"
	// HourlyCap: the server accepted its share of callbacks this hour.
	HourlyCap Reason = "hourly_cap"
)

// Reasons lists every reason, so each metric series exists from the start.
var Reasons = []Reason{UntrustedSource, NotAllowed, NotKnown, NotConfirmed, NumberCap, HourlyCap}

// Refusal is the error of a refused number; errors.As finds its reason.
type Refusal struct {
	Reason Reason
	Detail string
}

func (r *Refusal) Error() string {
	if r.Detail == "" {
		return "callback refused: " + string(r.Reason)
	}
	return "callback refused: " + string(r.Reason) + ": " + r.Detail
}

func refuse(reason Reason, detail string) error { return &Refusal{Reason: reason, Detail: detail} }
