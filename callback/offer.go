package callback

import (
	"errors"
	"log/slog"
	"time"

	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/dialpolicy"
	"github.com/hotline-oss/hotline/ivr"
)

// Timeouts of the callback dialogue.
const (
	callbackDigitWait    = 8 * time.Second  // after a prompt, for the first key
	callbackInterDigit   = 5 * time.Second  // between the keys of a number
	callbackDialogueWait = 90 * time.Second // the most one question may take
	callbackTries        = 3
	maxCallbackDigits    = 20
)

// CallInfo is the waiting call as virtual hold sees it.
type CallInfo struct {
	ID, Caller, Number string
	Source             string // the SIP source of the call
	Trusted            bool   // the caller's number came from a trusted network
	Log                *slog.Logger
}

// Offer is a waiting caller's virtual-hold state and the hooks the call
// path calls while the caller waits: Refs when it announces, Digit for
// each key. A nil *Offer (no queue offers callbacks) offers nothing.
type Offer struct {
	svc       *Service
	c         CallInfo
	leg       *callleg.Leg
	lang      string
	offeredIn string // the queue whose offer the caller heard: its digit now takes it
	withheld  bool   // an offer was withheld and the refusal counted, once a call
}

// Join starts the virtual-hold state of a call about to wait.
func (svc *Service) Join(c CallInfo, leg *callleg.Leg, lang string) *Offer {
	if svc == nil {
		return nil
	}
	if c.Log == nil {
		c.Log = svc.log
	}
	return &Offer{svc: svc, c: c, leg: leg, lang: lang}
}

// Outcome is what a key meant to virtual hold.
type Outcome uint8

const (
	NotMine    Outcome = iota // not the offer's digit: the call path handles the key
	Resume                    // the offer was not taken: music again
	CallerLeft                // the caller hung up during the dialogue
	Requested                 // the call became a callback: let the caller go
)

func (o *Offer) ref(name string) ivr.PromptRef { return ivr.PromptRef{Lang: o.lang, Name: name} }

// Refs returns "to keep your place and be called back, press 1" when
// queue offers callbacks and the expected wait is above its threshold,
// else nothing. A caller from an untrusted source, or with no number that
// could be called back, hears no offer.
func (o *Offer) Refs(queue string, ewt time.Duration) []ivr.PromptRef {
	if o == nil {
		return nil
	}
	cb, ok := o.svc.Settings(queue)
	if !ok || ewt <= cb.OfferAfter {
		return nil
	}
	switch {
	case !o.c.Trusted:
		o.withhold(queue, dialpolicy.UntrustedSource)
		return nil
	case !o.svc.allowed(o.c.Caller) && !*cb.AllowOtherNumber:
		o.withhold(queue, dialpolicy.NotAllowed) // nobody to call back
		return nil
	}
	o.offeredIn = queue
	return []ivr.PromptRef{o.ref("callback_offer_press"), o.ref("digit_" + cb.Digit)}
}

// withhold counts, once a call, an offer the caller does not hear.
func (o *Offer) withhold(queue string, reason dialpolicy.Reason) {
	if o.withheld {
		return
	}
	o.withheld = true
	o.svc.refuse(o.refusal(queue, reason, o.c.Caller))
}

func (o *Offer) refusal(queue string, reason dialpolicy.Reason, number string) refusal {
	return refusal{reason: reason, callID: o.c.ID, queue: queue, caller: o.c.Caller, number: number, source: o.c.Source}
}

// Digit takes the offer when d is its digit, for a caller waiting in
// queue: the caller confirms a number, and the call becomes a callback.
func (o *Offer) Digit(queue string, d rune) Outcome {
	if o == nil {
		return NotMine
	}
	cb, ok := o.svc.Settings(queue)
	if !ok || o.offeredIn != queue || string(d) != cb.Digit {
		return NotMine
	}
	svc := o.svc
	o.leg.StopPlayback()
	number, left := o.chooseNumber(queue, cb)
	if left {
		return CallerLeft
	}
	if number == "" {
		return Resume
	}
	ticket, err := svc.dialer.Register(o.leg.Call(), number)
	if err != nil {
		o.c.Log.Warn("callback refused", "err", err)
		return Resume
	}
	requested, err := svc.request(o, queue, ticket, cb)
	var capped *dialpolicy.Refusal
	switch {
	case errors.As(err, &capped):
		svc.refuse(o.refusal(queue, capped.Reason, number))
		if o.leg.PlayAndWait([]ivr.PromptRef{o.ref("callback_not_possible")}) {
			return CallerLeft
		}
	case err != nil:
		o.c.Log.Warn("callback request failed", "err", err)
	}
	if !requested {
		return Resume
	}
	o.leg.PlayAndWait([]ivr.PromptRef{o.ref("callback_thanks")})
	return Requested
}

// chooseNumber reads the caller's own number back for confirmation and,
// where allowed, takes another number (otherNumber). It returns "" when
// the caller confirmed nothing.
func (o *Offer) chooseNumber(queue string, cb config.QueueCallback) (number string, left bool) {
	own := o.c.Caller
	ownOK := o.svc.allowed(own)
	other := *cb.AllowOtherNumber
	for range callbackTries {
		choice := '2'
		if ownOK {
			refs := append([]ivr.PromptRef{o.ref("callback_will_call")}, o.digits(own)...)
			if other {
				refs = append(refs, o.ref("callback_confirm_choice"))
			} else {
				refs = append(refs, o.ref("callback_confirm_only"))
			}
			keys, gone := o.readKeys(refs, 1, 0)
			if gone {
				return "", true
			}
			choice = firstKey(keys)
		}
		switch {
		case choice == '1' && ownOK:
			return own, false
		case choice == '2' && other:
			n, gone := o.otherNumber(queue, own, ownOK)
			if gone || n != "" {
				return n, gone
			}
		}
	}
	return "", false
}

// otherNumber takes another number to call back: it must be on the
// allow-list and have called the hotline before, and the caller confirms
// it when it is read back. A number that never called falls back to the
// caller's own; "" asks again.
func (o *Offer) otherNumber(queue, own string, ownOK bool) (number string, left bool) {
	svc := o.svc
	keys, gone := o.readKeys([]ivr.PromptRef{o.ref("callback_enter_number")}, maxCallbackDigits, '#')
	switch {
	case gone:
		return "", true
	case keys == own && ownOK:
		return own, false
	case !svc.allowed(keys):
		svc.refuse(o.refusal(queue, dialpolicy.NotAllowed, keys))
		return "", o.leg.PlayAndWait([]ivr.PromptRef{o.ref("callback_number_not_allowed")})
	case !svc.isKnown(keys):
		// Never a number that has not called us.
		svc.refuse(o.refusal(queue, dialpolicy.NotKnown, keys))
		if o.leg.PlayAndWait([]ivr.PromptRef{o.ref("callback_number_refused")}) {
			return "", true
		}
		if ownOK {
			return own, false
		}
		return "", false
	}
	// Keys pressed ahead do not confirm a number the caller has not heard.
	if o.leg.Drain() {
		return "", true
	}
	refs := append(append([]ivr.PromptRef{o.ref("you_entered")}, o.digits(keys)...), o.ref("confirm_reenter"))
	answer, gone := o.readKeys(refs, 1, 0)
	if gone {
		return "", true
	}
	if firstKey(answer) != '1' {
		svc.refuse(o.refusal(queue, dialpolicy.NotConfirmed, keys))
		return "", false
	}
	return keys, false
}

func firstKey(keys string) rune {
	for _, k := range keys {
		return k
	}
	return 0
}

// digits reads a telephone number key by key.
func (o *Offer) digits(number string) []ivr.PromptRef {
	refs := make([]ivr.PromptRef, 0, len(number))
	for _, d := range number {
		if d >= '0' && d <= '9' {
			refs = append(refs, o.ref("digit_"+string(d)))
		}
	}
	return refs
}

// readKeys plays refs (a key interrupts them) and collects up to max keys,
// ending early on term; a pause ends the input. gone reports a hang-up.
func (o *Offer) readKeys(refs []ivr.PromptRef, max int, term rune) (keys string, gone bool) {
	return o.leg.ReadKeys(refs, max, term, callleg.KeyWaits{
		First: callbackDigitWait, Between: callbackInterDigit, Dialogue: callbackDialogueWait,
	})
}
