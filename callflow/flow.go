package callflow

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/sip"
)

// HandleCall is the life of an answered call: agents' feature codes, or
// the IVR flow of the dialled number and the queue it hands the caller to,
// back to the IVR when the queue sends the caller there.
func (f *Flow) HandleCall(ctx context.Context, c *sip.Call) {
	c.OnPacketsLost(f.d.PacketsLost)
	leg := callleg.New(ctx, c, f.d.Prompts)
	defer leg.Stop()
	if c.Agent != "" {
		if f.d.Queueing != nil && f.runConsult(ctx, c) {
			return
		}
		f.feature(c, leg)
		return
	}
	base := call.Event{CallID: c.ID, Caller: c.Caller, Number: c.Number}
	flow := f.d.Routes().Numbers[c.Number] // the call keeps this flow through a reload
	lang := f.d.DefaultLanguage
	var path []string
	var result call.Result
	var reason string
	for start := flow.Start; start != ""; {
		out, err := f.runIVR(ctx, c, leg, flow, start, lang, base)
		f.d.OnVars(c.ID, out.Vars)
		path, lang, start = append(path, out.Path...), out.Language, ""
		result, reason = ivrResult(out, err)
		if out.Queue == "" {
			break
		}
		ev := base
		ev.Kind, ev.Time, ev.Queue, ev.Priority, ev.Language = call.QueueRequested, f.d.Clock.Now(), out.Queue, out.Priority, out.Language
		f.d.Publish(ev)
		if f.d.Queueing == nil || !f.d.Queueing.HasQueue(out.Queue) {
			result, reason = f.noAgents(leg, lang)
			break
		}
		q := f.serve(c, leg, out.Queue, out.Priority, lang)
		result, reason, start = q.result, q.reason, q.next
		q.care.AfterTalk(leg, TalkOutcome{Result: q.result, Reason: q.reason, Queue: q.queue}, f.language(lang))
	}
	f.endCall(c, leg, base, result, reason, lang, path)
}

// runIVR runs flow from the node start (the flow's own start, or where a
// queue sent the caller back to).
func (f *Flow) runIVR(ctx context.Context, c *sip.Call, leg *callleg.Leg, flow *ivr.Flow, start, lang string, base call.Event) (interp.Outcome, error) {
	run := flow
	if start != flow.Start {
		resumed := *flow
		resumed.Start = start
		run = &resumed
	}
	session := interp.NewSession(run, interp.Env{
		Clock:     f.d.Clock,
		Language:  lang,
		Notice:    f.currentNotice,
		Calendars: f.d.Routes().Calendars,

		AreaNotices: f.d.Self.AreaNotices,
	})
	onNode := func(n interp.NodeEntered) {
		ev := base
		ev.Kind, ev.Time, ev.Flow, ev.Node, ev.NodeType = call.IVRNodeEntered, f.d.Clock.Now(), n.Flow, n.Node, n.Type
		f.d.Publish(ev)
	}
	sleg := f.serviceLeg(ctx, c, leg, base)
	out, err := interp.Run(ctx, session, sleg, realTimers{}, onNode)
	sleg.close()
	if err != nil {
		c.Logger().Warn("ivr stopped", "err", err)
	}
	if out.Language == "" {
		out.Language = lang
	}
	return out, err
}

func ivrResult(out interp.Outcome, err error) (call.Result, string) {
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

func (f *Flow) endCall(c *sip.Call, leg *callleg.Leg, base call.Event, result call.Result, reason, lang string, path []string) {
	hangupBy := call.HangupByServer
	if leg.CallerGone() {
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
	ev.Kind, ev.Time, ev.Result, ev.Reason, ev.Language = call.CallEnded, f.d.Clock.Now(), result, reason, lang
	ev.HangupBy = hangupBy
	f.d.Publish(ev)
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

// language is lang, or the hotline's standard language when the caller
// chose none.
func (f *Flow) language(lang string) string {
	if lang == "" {
		return f.d.DefaultLanguage
	}
	return lang
}

// hasNode reports whether the flow of a hotline number has node.
func (f *Flow) hasNode(number, node string) bool {
	flow := f.d.Routes().Numbers[number]
	if flow == nil {
		return false
	}
	_, ok := flow.Nodes[node]
	return ok
}

// noAgents is the queue hand-off while no ACD is configured: the caller is
// told politely that every agent is busy, and the call ends. It counts as
// blocked: the call was refused by the queue, not abandoned.
func (f *Flow) noAgents(leg *callleg.Leg, lang string) (call.Result, string) {
	if lang == "" {
		lang = f.d.DefaultLanguage
	}
	refs := []ivr.PromptRef{{Lang: lang, Name: "all_agents_busy"}, {Lang: lang, Name: "goodbye"}}
	if leg.PlayAndWait(refs) {
		return call.ResultAbandonedInQueue, "caller_hangup"
	}
	return call.ResultBlocked, "no_agents"
}

func (f *Flow) currentNotice() []ivr.PromptRef {
	r := f.d.Routes()
	if len(r.Notice) == 0 {
		return nil
	}
	return r.Notice
}

type realTimers struct{}

func (realTimers) AfterFunc(d time.Duration, f func()) interp.Stopper { return time.AfterFunc(d, f) }
