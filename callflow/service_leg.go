package callflow

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/selfservice"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/store"
)

// serviceLeg is the caller's leg with the self-service work the IVR may
// ask for (account lookups). Its goroutines end with close, so a caller
// who hangs up mid-lookup leaves nothing running.
type serviceLeg struct {
	*callleg.Leg
	f      *Flow
	c      *sip.Call
	base   call.Event
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	rec    *selfservice.VoiceRecorder // the message being recorded, if any
}

func (f *Flow) serviceLeg(ctx context.Context, c *sip.Call, leg *callleg.Leg, base call.Event) *serviceLeg {
	ctx, cancel := context.WithCancel(ctx)
	return &serviceLeg{Leg: leg, f: f, c: c, base: base, ctx: ctx, cancel: cancel}
}

// close cancels work in flight and waits for it.
func (l *serviceLeg) close() {
	l.cancel()
	if l.rec != nil {
		l.rec.Stop()
	}
	l.wg.Wait()
}

// Do carries out the IVR's self-service actions; work that takes time runs
// in the background and reports on the leg's events, while the
// interpreter's own timers cover a service that hangs.
func (l *serviceLeg) Do(a interp.Action) {
	switch a := a.(type) {
	case interp.Lookup:
		l.background(func() interp.Event { return l.lookup(a) })
	case interp.NoticeHeard:
		ev := l.base
		ev.Kind, ev.Time, ev.Detail, ev.Target = call.NoticePlayed, l.f.d.Clock.Now(), a.ID, a.Area
		l.f.d.Publish(ev)
	case interp.StartRecording:
		l.startRecording(a)
	case interp.StopRecording:
		l.stopRecording(a.ID)
	case interp.FileFaultReport:
		l.background(func() interp.Event { return l.fileFault(a) })
	}
}

// background runs work and delivers its event unless the call is over.
func (l *serviceLeg) background(work func() interp.Event) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.deliver(work())
	}()
}

func (l *serviceLeg) deliver(ev interp.Event) {
	l.Leg.Deliver(l.ctx, ev)
}

// Play also finds outage-notice recordings, which live outside the prompt
// set and come and go while the server runs.
func (l *serviceLeg) Play(refs []ivr.PromptRef, bargeIn bool) error {
	if played := l.f.d.Played.Load(); played != nil {
		(*played)(l.c.ID, refs)
	}
	l.PlayWith(refs, l.f.d.Self.NoticePrompt)
	return nil
}

func (l *serviceLeg) lookup(a interp.Lookup) interp.LookupResult {
	began := l.f.d.Clock.Now()
	out := interp.LookupResult{ID: a.ID, Status: interp.LookupFailed}
	ans, result, err := l.f.d.Self.Lookup(l.ctx, a.Service, selfservice.LookupRequest{Account: a.Account, Caller: l.c.Caller, CallID: l.c.ID})
	switch {
	case errors.Is(err, selfservice.ErrUnknownService):
		l.c.Logger().Error("lookup: service not configured", "service", a.Service)
	case err != nil:
		l.c.Logger().Warn("lookup failed", "service", a.Service, "account", l.maskAccount(a.Account),
			"result", result, "err", err)
	case result == selfservice.LookupOK:
		out.Status, out.Vars = interp.LookupOK, ans.Vars()
	default:
		out.Status = interp.LookupNotFound
	}
	if l.ctx.Err() != nil {
		return out // the caller left mid-lookup: not the service's failure
	}
	ev := l.base
	ev.Kind, ev.Time, ev.Reason, ev.Detail = call.LookupDone, l.f.d.Clock.Now(), result, a.Service
	ev.Delay = max(ev.Time.Sub(began), time.Duration(0))
	l.f.d.Publish(ev)
	return out
}

func (l *serviceLeg) maskAccount(account string) string {
	if l.f.d.MaskNumbers {
		return store.Mask(account)
	}
	return account
}
