package sip

import (
	"log/slog"
	"sync"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/sip/admission"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/inbound"
	"github.com/hotline-oss/hotline/sip/sipheader"
)

// arrival is an INVITE on its way to becoming a call: what admission found
// out about it, and how the call's events are published.
type arrival struct {
	req *sipmsg.Request
	tx  sipmsg.ServerTransaction
	// Durations are measured on the monotonic clock (received); event
	// times come from the server's clock (arrived, now), like every other
	// event of the call.
	received time.Time
	arrived  time.Time
	now      func() time.Time

	agent   string // the authenticated agent calling an internal number
	trusted bool   // the caller's number is believed
	timer   sipheader.SessionTimer
	base    call.Event // the call's ID, caller and number
	log     *slog.Logger
	pub     func(call.Event)

	// free gives the channel back, once; answered: the call's goroutine
	// (run) or refuseLateAnswer frees it from then on.
	free     func()
	answered bool
}

// ended publishes the end of a call that never reached its handler.
func (in *arrival) ended(result call.Result, reason string) {
	ev := in.base
	ev.Kind, ev.Time, ev.Result, ev.Reason, ev.HangupBy = call.CallEnded, in.now(), result, reason, call.HangupByServer
	if result == call.ResultAbandonedInIVR {
		ev.HangupBy = call.HangupByCaller
	}
	in.pub(ev)
}

// admit runs the checks an INVITE passes before it becomes a call: the
// number it is routed by and who may call it, the extensions it requires,
// who is calling, and a free channel. On false the INVITE was answered.
func (e *Endpoint) admit(req *sipmsg.Request, tx sipmsg.ServerTransaction) (*arrival, bool) {
	in := &arrival{req: req, tx: tx, received: time.Now(), arrived: e.now(), now: e.now, pub: e.publish}
	number := e.numbers.Called(req) // trunk rules, forwarding
	agent, ok := e.gate.Route(req, tx, number)
	if !ok {
		return nil, false
	}
	timer, ok := e.gate.CheckExtensions(req, tx)
	if !ok {
		return nil, false
	}
	// Agents' own calls (feature codes) are not hotline calls: they
	// appear in no call figure.
	if agent != "" {
		in.pub = func(call.Event) {}
	}
	caller, trusted := e.numbers.Caller(req)
	in.agent, in.trusted, in.timer = agent, trusted, timer
	in.base = call.Event{CallID: admission.CallID(req), Caller: caller, Number: number}
	in.log = e.log.With("call", in.base.CallID, "caller", e.mask(caller), "number", number, "caller_trusted", trusted)
	if reason := e.slots.Reserve(); reason != "" {
		e.refuseBlocked(in, reason)
		return nil, false
	}
	var once sync.Once
	in.free = func() { once.Do(e.slots.Release) }
	return in, true
}

// refuseBlocked answers 503 to a call no channel was free for, and
// reports it blocked.
func (e *Endpoint) refuseBlocked(in *arrival, reason string) {
	in.log.Warn("call blocked", "reason", reason)
	ev := in.base
	ev.Kind, ev.Time, ev.Result, ev.Reason = call.CallBlocked, in.arrived, call.ResultBlocked, reason
	in.pub(ev)
	e.reject(guard.BlockedRejectReason(reason))
	e.reply(in.req, in.tx, sipmsg.StatusServiceUnavailable, "Service Unavailable",
		guard.RetryAfterHeader(e.overload.RetryAfter()))
}

// initAdmission builds the steps of admit from the configuration; the
// guard is built first (its trusted networks and overload limits).
func (e *Endpoint) initAdmission() {
	e.numbers = admission.Numbers{Trunks: e.cfg.Trunks, Trusted: e.guard.Trusted, IsHotline: e.cfg.IsHotline}
	e.gate = admission.Gate{
		Host: gateHost{e}, Log: e.log,
		IsHotline: e.cfg.IsHotline, IsInternal: e.cfg.IsInternal,
		RedirectInternal: e.cfg.RedirectInternal, SecureNumber: e.secureNumber,
		TimerPolicy: e.timerPolicy,
	}
	e.slots = admission.NewSlots(e.cfg.MaxCalls, e.overload)
}

// gateHost is the endpoint as admission's gate sees it.
type gateHost struct{ e *Endpoint }

func (h gateHost) Reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header) {
	h.e.reply(req, tx, code, reason, headers...)
}

func (h gateHost) Authenticate(req *sipmsg.Request, tx sipmsg.ServerTransaction) (string, bool) {
	return h.e.authenticate(req, tx)
}

func (h gateHost) RefuseTimer(req *sipmsg.Request, tx sipmsg.ServerTransaction, tooSmall bool, err error) bool {
	return inbound.RefuseTimer(callHost{h.e}, req, tx, tooSmall, err)
}

var _ admission.Host = gateHost{}
