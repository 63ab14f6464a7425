package app

import (
	"time"

	"github.com/hotline-oss/hotline/callback"
	"github.com/hotline-oss/hotline/callflow"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/care"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/monitor"
	"github.com/hotline-oss/hotline/sip"
)

// newFlow builds the call path (package callflow) and plugs the features
// into its hooks: care before queueing, on bridge and after talk; virtual
// hold while the caller waits; supervisor monitoring on bridge.
func (s *Server) newFlow() *callflow.Flow {
	d := callflow.Deps{
		Routes:          func() *callflow.Routes { return &s.routing().Routes },
		Prompts:         s.prompts,
		Phones:          s.callPhones(),
		Publish:         s.bus.Publish,
		Clock:           s.clock,
		Log:             s.log,
		DefaultLanguage: s.cfg.DefaultLanguage,
		Features:        s.cfg.Features,
		MaskNumbers:     s.cfg.MaskNumbers(),
		Self:            s.self,
		QueueHooks:      s.careHooks,
		MonitorCode: func(number string) (mix.Mode, string, bool) {
			return monitor.ParseCode(s.cfg.Monitor, number)
		},
		MonitorPhone: s.monitorFromPhone,
		OnVars:       s.onVars,
		PacketsLost:  s.metrics.AddPacketsLost,
		MoveTo:       s.metrics.MoveTo,
		Played:       &s.played,
	}
	if s.acd != nil {
		d.Queueing = s.acd
	}
	if s.callbacks != nil {
		d.WaitHooks = s.callbackHooks
	}
	if s.tickets != nil {
		d.FaultFiled = s.faultFiled // tickets.go
	}
	if s.onBridge != nil {
		d.Bridges = s.onBridge
	}
	return callflow.New(d)
}

// onVars passes the variables an IVR run collected to the call record and
// to the agent panel's call details.
func (s *Server) onVars(callID string, vars map[string]string) {
	if s.store != nil && len(vars) > 0 {
		s.store.Recorder().SetVars(callID, vars)
	}
	s.callInfo.setVars(callID, vars)
}

// careHooks follows a queued call with the care features, and with the
// owner of the caller's open ticket, who is preferred over the sticky
// agent (package tickets).
func (s *Server) careHooks(c *sip.Call, _ *callleg.Leg, _ string) callflow.QueueHooks {
	cc := s.care.Join(care.CallInfo{ID: c.ID, Caller: c.Caller, Number: c.Number, Log: c.Logger()})
	s.tickets.NoteCall(c.ID, c.Caller, c.CallerTrusted) // a ticket for this call may dial its caller back
	owner, grace := s.tickets.PreferredAgent(c.Caller, c.CallerTrusted)
	return &careCall{Call: cc, owner: owner, ownerGrace: grace}
}

// careCall adapts care's per-call hooks to the call path's.
type careCall struct {
	*care.Call
	owner      string // the ticket owner to wait for on the first entry
	ownerGrace time.Duration
}

// Enqueue prefers the ticket's owner to the sticky agent, on the first
// queue entry only (as the sticky agent).
func (c *careCall) Enqueue() (string, time.Duration) {
	agent, grace := c.Call.Enqueue()
	if c.owner != "" {
		agent, grace = c.owner, c.ownerGrace
		c.owner = ""
	}
	return agent, grace
}

func (c *careCall) BeforeQueue(leg *callleg.Leg, lang, queue string, priority int) (string, int, bool) {
	return c.Call.BeforeQueue(leg, lang, queue, priority)
}

func (c *careCall) AfterTalk(leg *callleg.Leg, out callflow.TalkOutcome, lang string) {
	c.Call.AfterTalk(leg, care.TalkOutcome{Result: out.Result, Reason: out.Reason, Queue: out.Queue}, lang)
}

// callbackHooks offers virtual hold to a waiting caller.
func (s *Server) callbackHooks(c *sip.Call, leg *callleg.Leg, lang string) callflow.WaitHooks {
	return callbackOffer{s.callbacks.Join(callback.CallInfo{
		ID: c.ID, Caller: c.Caller, Number: c.Number, Source: c.Source, Trusted: c.CallerTrusted, Log: c.Logger(),
	}, leg, lang)}
}

// callbackOffer adapts virtual hold's per-call hooks to the call path's.
type callbackOffer struct{ o *callback.Offer }

func (c callbackOffer) Refs(queue string, ewt time.Duration) []ivr.PromptRef {
	return c.o.Refs(queue, ewt)
}

func (c callbackOffer) Digit(queue string, d rune) callflow.KeyOutcome {
	switch c.o.Digit(queue, d) {
	case callback.Resume:
		return callflow.KeyResume
	case callback.CallerLeft:
		return callflow.KeyCallerLeft
	case callback.Requested:
		return callflow.KeyCallback
	}
	return callflow.KeyNotMine
}
