package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
)

// handleCall is the life of an answered call: the IVR flow of the dialled
// number, then the hand-off it asked for.
func (s *Server) handleCall(ctx context.Context, c *sip.Call) {
	c.OnPacketsLost(s.metrics.AddPacketsLost)
	flow := s.numbers[c.Number]
	base := call.Event{CallID: c.ID, Caller: c.Caller, Number: c.Number}
	session := ivr.NewSession(flow, ivr.Env{
		Clock:     s.clock,
		Language:  s.cfg.DefaultLanguage,
		Notice:    s.currentNotice,
		Calendars: s.calendars,
	})
	leg := newCallLeg(ctx, c, s.prompts)
	defer leg.stop()
	onNode := func(n ivr.NodeEntered) {
		ev := base
		ev.Kind, ev.Time, ev.Flow, ev.Node, ev.NodeType = call.IVRNodeEntered, s.clock.Now(), n.Flow, n.Node, n.Type
		s.bus.Publish(ev)
	}
	out, err := ivr.Run(ctx, session, leg, realTimers{}, onNode)
	if err != nil {
		c.Logger().Warn("ivr stopped", "err", err)
	}
	result, reason := call.ResultAbandonedInIVR, out.Reason
	switch {
	case out.CallerHungUp:
		result, reason = call.ResultAbandonedInIVR, "caller_hangup"
	case out.Queue != "":
		ev := base
		ev.Kind, ev.Time, ev.Queue, ev.Priority, ev.Language = call.QueueRequested, s.clock.Now(), out.Queue, out.Priority, out.Language
		s.bus.Publish(ev)
		result, reason = s.noAgents(leg, out.Language)
	case out.SelfService:
		result = call.ResultSelfService
	case err != nil:
		result, reason = call.ResultFailed, "ivr_error"
	}
	hangupBy := call.HangupByServer
	if leg.callerGone() {
		// The call ended under the IVR: the caller hung up, or the
		// endpoint gave up on a dead RTP stream.
		hangupBy = c.HangupBy()
		if r := c.EndReason(); r == "rtp_timeout" {
			reason = r
		}
	}
	c.Logger().Info("call ended", "result", result, "reason", reason, "by", hangupBy, "path", out.Path)
	ev := base
	ev.Kind, ev.Time, ev.Result, ev.Reason, ev.Language = call.CallEnded, s.clock.Now(), result, reason, out.Language
	ev.HangupBy = hangupBy
	s.bus.Publish(ev)
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
	if len(s.notice) == 0 {
		return nil
	}
	return s.notice
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
