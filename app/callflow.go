package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip"
)

// handleCall is the life of an answered call: agents' feature codes, or
// the IVR flow of the dialled number and the queue it hands the caller to,
// back to the IVR when the queue sends the caller there.
func (s *Server) handleCall(ctx context.Context, c *sip.Call) {
	c.OnPacketsLost(s.metrics.AddPacketsLost)
	leg := newCallLeg(ctx, c, s.prompts)
	defer leg.stop()
	if c.Agent != "" {
		if s.acd != nil && s.acd.runConsult(ctx, c) {
			return
		}
		s.feature(c, leg)
		return
	}
	base := call.Event{CallID: c.ID, Caller: c.Caller, Number: c.Number}
	flow := s.routing().numbers[c.Number] // the call keeps this flow through a reload
	lang := s.cfg.DefaultLanguage
	var path []string
	var result call.Result
	var reason string
	for start := flow.Start; start != ""; {
		out, err := s.runIVR(ctx, c, leg, flow, start, lang, base)
		if s.store != nil && len(out.Vars) > 0 {
			s.store.Recorder().SetVars(c.ID, out.Vars)
		}
		s.callInfo.setVars(c.ID, out.Vars)
		path, lang, start = append(path, out.Path...), out.Language, ""
		result, reason = ivrResult(out, err)
		if out.Queue == "" {
			break
		}
		ev := base
		ev.Kind, ev.Time, ev.Queue, ev.Priority, ev.Language = call.QueueRequested, s.clock.Now(), out.Queue, out.Priority, out.Language
		s.bus.Publish(ev)
		if s.acd == nil || !s.acd.hasQueue(out.Queue) {
			result, reason = s.noAgents(leg, lang)
			break
		}
		q := s.acd.serve(c, leg, out.Queue, out.Priority, lang)
		result, reason, start = q.result, q.reason, q.next
		s.afterTalk(c, leg, q, lang) // survey.go: the post-call survey, if configured
	}
	s.endCall(c, leg, base, result, reason, lang, path)
}

// runIVR runs flow from the node start (the flow's own start, or where a
// queue sent the caller back to).
func (s *Server) runIVR(ctx context.Context, c *sip.Call, leg *callLeg, flow *ivr.Flow, start, lang string, base call.Event) (ivr.Outcome, error) {
	f := flow
	if start != flow.Start {
		resumed := *flow
		resumed.Start = start
		f = &resumed
	}
	session := ivr.NewSession(f, ivr.Env{
		Clock:     s.clock,
		Language:  lang,
		Notice:    s.currentNotice,
		Calendars: s.routing().calendars,

		AreaNotices: s.areaNotices,
	})
	onNode := func(n ivr.NodeEntered) {
		ev := base
		ev.Kind, ev.Time, ev.Flow, ev.Node, ev.NodeType = call.IVRNodeEntered, s.clock.Now(), n.Flow, n.Node, n.Type
		s.bus.Publish(ev)
	}
	sleg := s.serviceLeg(ctx, c, leg, base)
	out, err := ivr.Run(ctx, session, sleg, realTimers{}, onNode)
	sleg.close()
	if err != nil {
		c.Logger().Warn("ivr stopped", "err", err)
	}
	if out.Language == "" {
		out.Language = lang
	}
	return out, err
}

func ivrResult(out ivr.Outcome, err error) (call.Result, string) {
	switch {
	case out.CallerHungUp && out.AfterNotice:
		return call.ResultSelfService, metrics.ReasonNoticeHangup
	case out.CallerHungUp:
		return call.ResultAbandonedInIVR, "caller_hangup"
	case out.SelfService:
		return call.ResultSelfService, out.Reason
	case err != nil:
		return call.ResultFailed, "ivr_error"
	}
	return call.ResultAbandonedInIVR, out.Reason
}

func (s *Server) endCall(c *sip.Call, leg *callLeg, base call.Event, result call.Result, reason, lang string, path []string) {
	hangupBy := call.HangupByServer
	if leg.callerGone() {
		// The call ended under us: the caller hung up, the endpoint gave
		// up on a dead RTP stream, or the shutdown grace ran out.
		hangupBy = c.HangupBy()
		switch r := c.EndReason(); r {
		case "rtp_timeout", sip.ReasonSessionExpired, sip.ReasonRefreshFailed:
			reason = r
		case sip.ReasonShutdown:
			result, reason = shutdownResult(result), r
		}
	}
	if result == call.ResultAnsweredByAgent && reason == "agent_hangup" {
		hangupBy = call.HangupByAgent
	}
	c.Logger().Info("call ended", "result", result, "reason", reason, "by", hangupBy, "path", path)
	ev := base
	ev.Kind, ev.Time, ev.Result, ev.Reason, ev.Language = call.CallEnded, s.clock.Now(), result, reason, lang
	ev.HangupBy = hangupBy
	s.bus.Publish(ev)
}

// shutdownResult is the result of a call the server cut at the end of the
// shutdown grace: the IVR and the queue saw the caller go, but no caller
// abandoned it, so it must not count among the abandons (nor as a
// self-service notice hang-up). A call an agent answered stays answered.
func shutdownResult(result call.Result) call.Result {
	if result == call.ResultAnsweredByAgent {
		return result
	}
	return call.ResultFailed
}

// hasNode reports whether the flow of a hotline number has node.
func (s *Server) hasNode(number, node string) bool {
	f := s.routing().numbers[number]
	if f == nil {
		return false
	}
	_, ok := f.Nodes[node]
	return ok
}

// noAgents is the queue hand-off while no ACD is configured: the caller is
// told politely that every agent is busy, and the call ends. It counts as
// blocked: the call was refused by the queue, not abandoned.
func (s *Server) noAgents(leg *callLeg, lang string) (call.Result, string) {
	if lang == "" {
		lang = s.cfg.DefaultLanguage
	}
	refs := []ivr.PromptRef{{Lang: lang, Name: "all_agents_busy"}, {Lang: lang, Name: "goodbye"}}
	if leg.playAndWait(refs) {
		return call.ResultAbandonedInQueue, "caller_hangup"
	}
	return call.ResultBlocked, "no_agents"
}

func (s *Server) currentNotice() []ivr.PromptRef {
	r := s.routing()
	if len(r.notice) == 0 {
		return nil
	}
	return r.notice
}

// callLeg adapts a SIP call and its media stream to the IVR's Leg.
type callLeg struct {
	c       *sip.Call
	stream  *media.Stream
	prompts *PromptSet
	events  chan ivr.Event
	done    chan struct{}
	exited  chan struct{}
	buf     []*media.Prompt
}

func newCallLeg(ctx context.Context, c *sip.Call, ps *PromptSet) *callLeg {
	l := &callLeg{
		c: c, stream: c.Media(), prompts: ps,
		events: make(chan ivr.Event, 32),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go l.pump(ctx)
	return l
}

// pump merges the call's sources of events into the one channel the IVR
// reads: RTP digits, INFO digits, end of playback, hang-up.
func (l *callLeg) pump(ctx context.Context) {
	defer close(l.exited)
	send := func(ev ivr.Event) bool {
		select {
		case l.events <- ev:
			return true
		case <-l.done:
			return false
		}
	}
	for {
		var ev ivr.Event
		select {
		case d := <-l.stream.Digits():
			ev = ivr.Digit{D: d}
		case d := <-l.c.InfoDigits():
			ev = ivr.Digit{D: d}
		case <-l.stream.PlaybackDone():
			ev = ivr.PlaybackDone{}
		case <-l.c.Done():
			send(ivr.CallerHangup{})
			return
		case <-ctx.Done():
			send(ivr.CallerHangup{})
			return
		case <-l.done:
			return
		}
		if !send(ev) {
			return
		}
	}
}

func (l *callLeg) stop() {
	close(l.done)
	<-l.exited
}

func (l *callLeg) Play(refs []ivr.PromptRef, bargeIn bool) error {
	l.buf = l.buf[:0]
	for _, r := range refs {
		if p := l.prompts.Get(r.Lang, r.Name); p != nil {
			l.buf = append(l.buf, p)
		} else {
			l.c.Logger().Warn("prompt missing at run time", "prompt", r.String())
		}
	}
	l.stream.Play(l.buf...)
	return nil
}

func (l *callLeg) StopPlayback()            { l.stream.StopPlayback() }
func (l *callLeg) SetLanguage(string)       {}
func (l *callLeg) Events() <-chan ivr.Event { return l.events }

func (l *callLeg) callerGone() bool {
	select {
	case <-l.c.Done():
		return true
	default:
		return false
	}
}

// playAndWait plays refs to the end; true when the caller hung up first.
func (l *callLeg) playAndWait(refs []ivr.PromptRef) (callerLeft bool) {
	_ = l.Play(refs, false)
	for {
		select {
		case ev := <-l.events:
			switch ev.(type) {
			case ivr.PlaybackDone:
				return false
			case ivr.CallerHangup:
				return true
			}
		case <-time.After(2 * time.Minute):
			return false
		}
	}
}

type realTimers struct{}

func (realTimers) AfterFunc(d time.Duration, f func()) ivr.Stopper { return time.AfterFunc(d, f) }
