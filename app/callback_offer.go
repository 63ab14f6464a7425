package app

import (
	"errors"
	"time"

	"github.com/hotline-oss/hotline/call"
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

// callbackOffer is a waiting caller's virtual-hold state.
type callbackOffer struct {
	offeredIn string // the queue whose offer the caller heard: its digit now takes it
	withheld  bool   // an offer was withheld and the refusal counted, once a call
}

func (qc *queueCall) callbackSettings() (config.QueueCallback, bool) {
	return qc.s.callbacks.settings(qc.queue)
}

// callbackOfferRefs returns "to keep your place and be called back, press
// 1" when the queue offers callbacks and the expected wait is above its
// threshold, else nothing. A caller from an untrusted source, or with no
// number that could be called back, hears no offer.
func (qc *queueCall) callbackOfferRefs(ewt time.Duration) []ivr.PromptRef {
	cb, ok := qc.callbackSettings()
	if !ok || ewt <= cb.OfferAfter {
		return nil
	}
	svc := qc.s.callbacks
	switch {
	case !qc.c.CallerTrusted:
		qc.withholdOffer(dialpolicy.UntrustedSource)
		return nil
	case !svc.allowed(qc.c.Caller) && !*cb.AllowOtherNumber:
		qc.withholdOffer(dialpolicy.NotAllowed) // nobody to call back
		return nil
	}
	qc.cb.offeredIn = qc.queue
	return []ivr.PromptRef{qc.ref("callback_offer_press"), qc.ref("digit_" + cb.Digit)}
}

// withholdOffer counts, once a call, an offer the caller does not hear.
func (qc *queueCall) withholdOffer(reason dialpolicy.Reason) {
	if qc.cb.withheld {
		return
	}
	qc.cb.withheld = true
	qc.s.callbacks.refuse(qc.refusal(reason, qc.c.Caller))
}

func (qc *queueCall) refusal(reason dialpolicy.Reason, number string) refusal {
	return refusal{reason: reason, callID: qc.c.ID, queue: qc.queue, caller: qc.c.Caller, number: number, source: qc.c.Source}
}

// offerCallback plays the offer on its own (no position announcement due).
func (qc *queueCall) offerCallback(ewt time.Duration) {
	if refs := qc.callbackOfferRefs(ewt); len(refs) > 0 {
		_ = qc.leg.Play(refs, false)
		qc.announcing = true
	}
}

// callbackDigit takes the offer when d is its digit: the caller confirms a
// number, the call becomes a callback and the caller is let go. handled
// is false for any other key.
func (qc *queueCall) callbackDigit(d rune) (out queueOutcome, done, handled bool) {
	cb, ok := qc.callbackSettings()
	if !ok || qc.cb.offeredIn != qc.queue || string(d) != cb.Digit {
		return queueOutcome{}, false, false
	}
	svc := qc.s.callbacks
	qc.c.Media().StopPlayback()
	number, left := qc.chooseCallbackNumber(cb)
	if left {
		out, done = qc.callerEvent(ivr.CallerHangup{})
		return out, done, true
	}
	resume := func() (queueOutcome, bool, bool) {
		qc.announcing = false
		qc.holdMusic()
		return queueOutcome{}, false, true
	}
	if number == "" {
		return resume()
	}
	ticket, err := svc.dialer.Register(qc.c, number)
	if err != nil {
		qc.c.Logger().Warn("callback refused", "err", err)
		return resume()
	}
	requested, err := svc.request(qc, ticket, cb)
	var capped *dialpolicy.Refusal
	switch {
	case errors.As(err, &capped):
		svc.refuse(qc.refusal(capped.Reason, number))
		if qc.leg.PlayAndWait([]ivr.PromptRef{qc.ref("callback_not_possible")}) {
			out, done = qc.callerEvent(ivr.CallerHangup{})
			return out, done, true
		}
	case err != nil:
		qc.c.Logger().Warn("callback request failed", "err", err)
	}
	if !requested {
		return resume()
	}
	qc.leg.PlayAndWait([]ivr.PromptRef{qc.ref("callback_thanks")})
	return queueOutcome{result: call.ResultCallback, reason: "callback_requested"}, true, true
}

// chooseCallbackNumber reads the caller's own number back for confirmation
// and, where allowed, takes another number (otherNumber). It returns ""
// when the caller confirmed nothing.
func (qc *queueCall) chooseCallbackNumber(cb config.QueueCallback) (number string, left bool) {
	own := qc.c.Caller
	ownOK := qc.s.callbacks.allowed(own)
	other := *cb.AllowOtherNumber
	for range callbackTries {
		choice := '2'
		if ownOK {
			refs := append([]ivr.PromptRef{qc.ref("callback_will_call")}, qc.digits(own)...)
			if other {
				refs = append(refs, qc.ref("callback_confirm_choice"))
			} else {
				refs = append(refs, qc.ref("callback_confirm_only"))
			}
			keys, gone := qc.readKeys(refs, 1, 0)
			if gone {
				return "", true
			}
			choice = firstKey(keys)
		}
		switch {
		case choice == '1' && ownOK:
			return own, false
		case choice == '2' && other:
			n, gone := qc.otherNumber(own, ownOK)
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
func (qc *queueCall) otherNumber(own string, ownOK bool) (number string, left bool) {
	svc := qc.s.callbacks
	keys, gone := qc.readKeys([]ivr.PromptRef{qc.ref("callback_enter_number")}, maxCallbackDigits, '#')
	switch {
	case gone:
		return "", true
	case keys == own && ownOK:
		return own, false
	case !svc.allowed(keys):
		svc.refuse(qc.refusal(dialpolicy.NotAllowed, keys))
		return "", qc.leg.PlayAndWait([]ivr.PromptRef{qc.ref("callback_number_not_allowed")})
	case !svc.isKnown(keys):
		// Never a number that has not called us.
		svc.refuse(qc.refusal(dialpolicy.NotKnown, keys))
		if qc.leg.PlayAndWait([]ivr.PromptRef{qc.ref("callback_number_refused")}) {
			return "", true
		}
		if ownOK {
			return own, false
		}
		return "", false
	}
	// Keys pressed ahead do not confirm a number the caller has not heard.
	if qc.leg.Drain() {
		return "", true
	}
	refs := append(append([]ivr.PromptRef{qc.ref("you_entered")}, qc.digits(keys)...), qc.ref("confirm_reenter"))
	answer, gone := qc.readKeys(refs, 1, 0)
	if gone {
		return "", true
	}
	if firstKey(answer) != '1' {
		svc.refuse(qc.refusal(dialpolicy.NotConfirmed, keys))
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
func (qc *queueCall) digits(number string) []ivr.PromptRef {
	refs := make([]ivr.PromptRef, 0, len(number))
	for _, d := range number {
		if d >= '0' && d <= '9' {
			refs = append(refs, qc.ref("digit_"+string(d)))
		}
	}
	return refs
}

// readKeys plays refs (a key interrupts them) and collects up to max keys,
// ending early on term; a pause ends the input. gone reports a hang-up.
func (qc *queueCall) readKeys(refs []ivr.PromptRef, max int, term rune) (keys string, gone bool) {
	return qc.leg.ReadKeys(refs, max, term, callleg.KeyWaits{
		First: callbackDigitWait, Between: callbackInterDigit, Dialogue: callbackDialogueWait,
	})
}
