package callback

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/hotline-oss/hotline/dialpolicy"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip/callout"
	"github.com/hotline-oss/hotline/store"
)

// Against toll fraud, a callback goes only to a caller from a trusted
// network, to a number on callback_gateway's allow-list, within its caps
// (dialpolicy). The caps are checked when the callback is accepted and
// again before every dial. Each refusal is counted in
// hotline_callbacks_refused_total{reason} and written to the audit log.
//
// The ledger of accepted callbacks lives in memory. With a store it is
// seeded at start from the callback records of the last 24 hours, so a
// restart resets no per-number cap; without a store (no records, and no
// pending callback survives either) a restart starts it afresh.

// callbackPolicy is the callback service's share of the rules: the
// allow-list and caps of the configuration and the ledger they count in.
type callbackPolicy struct {
	allow    *dialpolicy.AllowList
	caps     dialpolicy.Caps
	ledger   dialpolicy.Ledger
	refusals *metrics.CallbackRefusals
}

// refusal is one refused callback as the audit log and the log see it.
type refusal struct {
	reason dialpolicy.Reason
	callID string
	queue  string
	caller string // the caller's number, a claim when not trusted
	number string // the number refused
	source string // the SIP source of the call; "" when the server refused on its own
}

// RefusedAction is the audit log's action for a refused callback.
const RefusedAction = "callback_refused"

// refuse counts, audits and logs a refused callback.
func (svc *Service) refuse(r refusal) {
	svc.policy.refusals.Refused(string(r.reason))
	svc.log.Info("callback refused", "reason", string(r.reason), "call", r.callID, "queue", r.queue,
		"number", svc.mask(r.number))
	actor, role := svc.mask(r.caller), "caller"
	if r.source == "" {
		actor, role = "hotline", "server"
	}
	detail, _ := json.Marshal(map[string]string{"reason": string(r.reason), "call": r.callID, "queue": r.queue})
	svc.auditRefusal(actor, role, RefusedAction, svc.mask(r.number), string(detail), r.source)
}

// refuseErr refuses with the reason err carries.
func (svc *Service) refuseErr(err error, r refusal) {
	var rf *dialpolicy.Refusal
	if errors.As(err, &rf) {
		r.reason = rf.Reason
		svc.refuse(r)
	}
}

// allowed reports whether number may ever be called back.
func (svc *Service) allowed(number string) bool {
	return callout.ValidCallbackNumber(number) && svc.policy.allow.Allowed(number)
}

// admit takes a callback to number, asked on call id, within the caps.
func (svc *Service) admit(id, number string) error {
	return svc.policy.ledger.Admit(svc.deps.Clock.Now(), id, number, svc.policy.caps)
}

// checkDial is the dialler's last word before each dial-out (for the
// callback of inbound call id): the number must still be allowed and
// within the caps.
func (svc *Service) checkDial(id, number string) error {
	err := svc.policy.allow.Check(number)
	if err == nil {
		err = svc.policy.ledger.Recheck(svc.deps.Clock.Now(), id, number, svc.policy.caps)
	}
	if err != nil {
		r := refusal{callID: id, number: number}
		svc.mu.Lock()
		if job := svc.jobs[id+"-cb"]; job != nil {
			r.queue = job.queue
		}
		svc.mu.Unlock()
		svc.refuseErr(err, r)
	}
	return err
}

// seedLedger counts the callbacks of the last 24 hours from the call
// records, so a restart does not reset the per-number cap.
func (svc *Service) seedLedger() {
	if svc.deps.Store == nil {
		return
	}
	now := svc.deps.Clock.Now()
	ctx, cancel := context.WithTimeout(context.Background(), callbackStoreTimeout)
	defer cancel()
	// Records stamped ahead of this clock (it stepped back) count too.
	recs, err := svc.deps.Store.Calls(ctx, now.Add(-dialpolicy.NumberWindow), now.Add(dialpolicy.NumberWindow), 0)
	if err != nil {
		// Counting from zero is the lesser harm than no callbacks at all;
		// the hourly cap still bounds the cost.
		svc.log.Warn("callback caps start from zero: call records not read", "err", err)
		return
	}
	n := 0
	for _, r := range recs {
		if id, ok := strings.CutSuffix(r.CallID, "-cb"); ok && r.Caller != "" {
			svc.policy.ledger.Seed(r.Arrived, id, r.Caller)
			n++
		}
	}
	svc.log.Info("callback caps counted from the records", "callbacks_24h", n)
}

// auditRefusal writes a refused action to the audit log; it never blocks.
func (svc *Service) auditRefusal(actor, role, action, target, detail, source string) {
	if svc.deps.Store == nil {
		return
	}
	svc.deps.Store.Audit(store.AuditEntry{
		At: svc.deps.Clock.Now(), Actor: actor, Role: role, Action: action, Target: target,
		Detail: detail, Source: source, Result: "refused",
	})
}
