package callflow

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// queueOutcome is how a caller's time in the ACD ended.
type queueOutcome struct {
	result call.Result
	reason string
	next   string     // an IVR node to go back to (overflow, exit digit, transfer)
	queue  string     // the queue the call was in at the end (for the survey)
	care   QueueHooks // the call's care hooks: the survey runs after the talk
}

// queueCall is one caller in the ACD: waiting with music and
// announcements, then talking to an agent, possibly moved between queues.
type queueCall struct {
	f     *Flow
	q     Queueing
	c     *sip.Call
	leg   *callleg.Leg
	w     *queueing.Mailbox
	lang  string
	queue string
	music *playout.Prompt
	qs    queueing.Settings
	// announcing is set while a position announcement plays over the music.
	announcing bool
	care       QueueHooks // survey, sticky agent, complainers, recording
	cb         WaitHooks  // virtual hold offer
}

// serve runs the caller through queue until an agent took the call and it
// ended, or the caller left the queue one way or another.
func (f *Flow) serve(c *sip.Call, leg *callleg.Leg, queue string, priority int, lang string) queueOutcome {
	qc := &queueCall{f: f, q: f.d.Queueing, c: c, leg: leg, lang: lang}
	qc.care = f.queueHooks(c, leg, lang)
	qc.cb = f.waitHooks(c, leg, lang)
	qc.w = qc.q.Join(c.ID, c.Caller)
	defer qc.q.Leave(c.ID)
	defer qc.care.Finish() // after the last agent, not each one: one recording per call
	queue, priority, left := qc.care.BeforeQueue(leg, lang, queue, priority)
	if left {
		return queueOutcome{result: call.ResultAbandonedInQueue, reason: "caller_hangup", queue: queue, care: qc.care}
	}
	for {
		out, transferTo := qc.wait(queue, priority)
		if transferTo == "" {
			out.queue, out.care = qc.queue, qc.care
			return out
		}
		queue = transferTo // a blind transfer to a queue: wait again there
	}
}

func (qc *queueCall) enter(queue string, priority int) error {
	qc.queue = queue
	qc.qs, _ = qc.q.Setting(queue)
	qc.music = qc.f.d.Prompts.Music(qc.qs.Music)
	cmd := queueing.Enqueue{Call: qc.c.ID, Queue: queue, Caller: qc.c.Caller, Priority: priority}
	cmd.Prefer, cmd.Grace = qc.care.Enqueue() // the sticky agent, on the first entry only
	return qc.q.Do(cmd)
}

// wait is one stay in a queue; transferTo names a queue the agent moved
// the caller to.
func (qc *queueCall) wait(queue string, priority int) (out queueOutcome, transferTo string) {
	if err := qc.enter(queue, priority); err != nil {
		return queueOutcome{result: call.ResultFailed, reason: "acd_error"}, ""
	}
	for {
		select {
		case act := <-qc.w.Actions():
			if out, done, next := qc.act(act); done {
				return out, next
			}
		case ev := <-qc.leg.Events():
			if out, done := qc.callerEvent(ev); done {
				return out, ""
			}
		}
	}
}

// act carries out one ACD action for the waiting caller.
func (qc *queueCall) act(act acd.Action) (out queueOutcome, done bool, transferTo string) {
	switch a := act.(type) {
	case acd.Queued:
		qc.holdMusic()
		if a.Position > 1 {
			qc.announce(a.Position, a.ExpectedWait)
		} else {
			qc.offerCallback(a.ExpectedWait)
		}
	case acd.Announce:
		qc.announce(a.Position, a.ExpectedWait)
	case acd.Blocked:
		return qc.refuse(call.ResultBlocked, a.Reason), true, ""
	case acd.Rejected:
		return qc.refuse(call.ResultBlocked, a.Reason), true, ""
	case acd.Leave:
		if a.Reason == queueing.ReasonInternalError {
			return queueOutcome{result: call.ResultFailed, reason: "acd_" + a.Reason}, true, ""
		}
		return qc.refuse(call.ResultBlocked, a.Reason), true, ""
	case acd.Overflow:
		kind, name, _ := acd.SplitTarget(a.Target)
		if kind == acd.TargetQueue {
			return queueOutcome{}, true, name
		}
		return queueOutcome{reason: "overflow", next: name}, true, ""
	case acd.Connect:
		return qc.talk(a)
	}
	return queueOutcome{}, false, ""
}

func (qc *queueCall) callerEvent(ev interp.Event) (queueOutcome, bool) {
	switch e := ev.(type) {
	case interp.CallerHangup:
		err := qc.q.Do(queueing.Abandon{Call: qc.c.ID, Reason: "caller hangup"})
		if errors.Is(err, acd.ErrNotWaiting) {
			return qc.answeredAsCallerLeft(), true
		}
		return queueOutcome{result: call.ResultAbandonedInQueue, reason: "caller_hangup"}, true
	case interp.Digit:
		switch qc.cb.Digit(qc.queue, e.D) {
		case KeyCallback:
			return queueOutcome{result: call.ResultCallback, reason: "callback_requested"}, true
		case KeyCallerLeft:
			return qc.callerEvent(interp.CallerHangup{})
		case KeyResume:
			qc.announcing = false
			qc.holdMusic()
			return queueOutcome{}, false
		}
		if qc.qs.ExitDigit != 0 && e.D == qc.qs.ExitDigit {
			err := qc.q.Do(queueing.Abandon{Call: qc.c.ID, Reason: "exit digit"})
			if errors.Is(err, acd.ErrNotWaiting) {
				return queueOutcome{}, false // an agent just answered: the Connect follows
			}
			return queueOutcome{reason: "exit_digit", next: qc.qs.ExitTarget}, true
		}
	case interp.PlaybackDone:
		if qc.announcing {
			qc.announcing = false
			qc.holdMusic()
		}
	}
	return queueOutcome{}, false
}

// answeredAsCallerLeft ends a call an agent answered just as the caller
// hung up, before the Connect was read: the agent's leg is hung up now
// (not left to leave, after the call ended) and the ACD ends the talk.
func (qc *queueCall) answeredAsCallerLeft() queueOutcome {
	if leg := qc.q.TakeLeg(qc.c.ID); leg != nil {
		leg.Hangup()
	}
	qc.talkEnded(call.HangupByCaller)
	return queueOutcome{result: call.ResultAnsweredByAgent, reason: "caller_hangup"}
}

func (qc *queueCall) holdMusic() {
	if qc.music != nil {
		qc.c.Media().PlayLoop(qc.music)
	}
}

// announce tells the caller their position and expected wait over the
// music: "You are number 3 in the queue. Your expected waiting time is
// about 4 minutes."
func (qc *queueCall) announce(position int, ewt time.Duration) {
	refs := []ivr.PromptRef{qc.ref("queue_position")}
	refs = append(refs, qc.number(position)...)
	refs = append(refs, qc.ref("queue_callers_ahead"))
	if ewt > 0 {
		minutes := max(1, int((ewt+30*time.Second)/time.Minute))
		refs = append(refs, qc.ref("expected_wait"))
		refs = append(refs, qc.number(minutes)...)
		refs = append(refs, qc.ref("minutes"))
	}
	refs = append(refs, qc.cb.Refs(qc.queue, ewt)...) // the callback offer, if any
	_ = qc.leg.Play(refs, false)
	qc.announcing = true
}

func (qc *queueCall) ref(name string) ivr.PromptRef { return ivr.PromptRef{Lang: qc.lang, Name: name} }

// number reads a number digit by digit, as the hotline reads work numbers.
func (qc *queueCall) number(n int) []ivr.PromptRef {
	var refs []ivr.PromptRef
	for _, d := range strconv.Itoa(n) {
		refs = append(refs, qc.ref("digit_"+string(d)))
	}
	return refs
}

// offerCallback plays the callback offer on its own (no position
// announcement due).
func (qc *queueCall) offerCallback(ewt time.Duration) {
	if refs := qc.cb.Refs(qc.queue, ewt); len(refs) > 0 {
		_ = qc.leg.Play(refs, false)
		qc.announcing = true
	}
}

// refuse tells the caller nobody can take the call now and says goodbye.
func (qc *queueCall) refuse(result call.Result, reason string) queueOutcome {
	if qc.leg.PlayAndWait([]ivr.PromptRef{qc.ref("all_agents_busy"), qc.ref("goodbye")}) {
		return queueOutcome{result: call.ResultAbandonedInQueue, reason: "caller_hangup"}
	}
	return queueOutcome{result: result, reason: reason}
}

// talk connects the caller to the agent who answered and stays until the
// call ends or is transferred.
func (qc *queueCall) talk(a acd.Connect) (queueOutcome, bool, string) {
	leg := qc.q.TakeLeg(qc.c.ID)
	if leg == nil {
		qc.c.Logger().Warn("connect without an agent leg", "agent", a.AgentID)
		return queueOutcome{result: call.ResultFailed, reason: "no_agent_leg"}, true, ""
	}
	if a.AnnounceAgent && a.WorkNumber != "" {
		refs := []ivr.PromptRef{qc.ref("agent_work_number")}
		for _, d := range a.WorkNumber {
			refs = append(refs, qc.ref("digit_"+string(d)))
		}
		refs = append(refs, qc.ref("will_serve_you"))
		if qc.leg.PlayAndWait(refs) {
			leg.Hangup()
			qc.talkEnded(call.HangupByCaller)
			return queueOutcome{result: call.ResultAnsweredByAgent, reason: "caller_hangup"}, true, ""
		}
	} else {
		qc.c.Media().StopPlayback()
	}
	bridge, err := media.Bridge(qc.c.Media(), leg.Media())
	if err != nil {
		leg.Hangup()
		qc.talkEnded(call.HangupByServer)
		return queueOutcome{result: call.ResultFailed, reason: "bridge"}, true, ""
	}
	defer bridge.Close()
	defer qc.f.watchBridge(qc.c.ID, a.AgentID, bridge)() // on bridge: supervisors find the call (monitor.go)
	qc.care.OnBridge(bridge, qc.queue, a.AgentID)        // records, when the queue does
	qc.f.d.MoveTo(qc.c.ID, metrics.StageTalking)
	return qc.talking(leg, bridge)
}

func (qc *queueCall) talking(leg *sip.AgentLeg, bridge *media.BridgeHandle) (queueOutcome, bool, string) {
	answered := queueOutcome{result: call.ResultAnsweredByAgent}
	defer func() {
		bridge.DetachRecording() // a blind transfer takes it on to the next agent; serve stops it
		bridge.Close()           // the bridge of an attended transfer, if any
	}()
	end := qc.talkEnded
	for {
		select {
		case <-qc.c.Done():
			leg.Hangup()
			end(call.HangupByCaller)
			answered.reason = "caller_hangup"
			return answered, true, ""
		case <-leg.Done():
			end(call.HangupByAgent)
			answered.reason = "agent_hangup"
			qc.care.AgentChanged(leg.Agent) // after an attended transfer, the colleague: the survey rates them
			return answered, true, ""
		case held := <-leg.Holds():
			qc.hold(held, bridge)
		case r := <-leg.Refers():
			if r.Replaced.CallID != "" {
				leg, bridge = qc.attended(leg, bridge, r) // the call goes on with the consulted agent
				qc.f.watchBridge(qc.c.ID, leg.Agent, bridge)
				continue
			}
			if out, done, next := qc.transfer(leg, r); done {
				return out, true, next
			}
		case act := <-qc.w.Actions():
			// Nothing the ACD says changes a connected call, but for the
			// end of one whose command failed an invariant.
			if l, ok := act.(acd.Leave); ok && l.Reason == queueing.ReasonInternalError {
				leg.Hangup()
				answered.reason = "acd_" + l.Reason
				return answered, true, ""
			}
		}
	}
}

func (qc *queueCall) hold(held bool, bridge *media.BridgeHandle) {
	if held {
		bridge.Hold(qc.music)
	} else {
		bridge.Unhold()
	}
	_ = qc.q.Do(queueing.Hold{Call: qc.c.ID, Held: held})
}

// transfer carries out an agent's blind transfer to a queue or an IVR node.
func (qc *queueCall) transfer(leg *sip.AgentLeg, r sip.Refer) (queueOutcome, bool, string) {
	target := strings.TrimSpace(r.Target)
	var kindTarget string
	switch {
	case qc.q.HasQueue(target):
		kindTarget = acd.TargetQueue + ":" + target
	case qc.q.IsAgent(target):
		if !qc.q.LoggedIn(target) {
			// The caller stays with the transferring agent.
			r.Notify(480, "Temporarily Unavailable")
			return queueOutcome{}, false, ""
		}
		kindTarget = acd.TargetQueue + ":" + queueing.PersonalQueue(target)
	case qc.f.hasNode(qc.c.Number, target):
		kindTarget = acd.TargetIVR + ":" + target
	default:
		r.Notify(404, "Not Found")
		return queueOutcome{}, false, ""
	}
	err := qc.q.Do(queueing.Transfer{Call: qc.c.ID, Kind: acd.TransferBlind, Target: kindTarget})
	if err != nil {
		r.Notify(500, "Server Internal Error")
		return queueOutcome{}, false, ""
	}
	r.Notify(200, "OK")
	leg.Hangup()
	kind, name, _ := acd.SplitTarget(kindTarget)
	if kind == acd.TargetQueue {
		return queueOutcome{}, true, name
	}
	return queueOutcome{reason: "transferred", next: name}, true, ""
}

// talkEnded tells the ACD the caller and the agent are no longer talking.
func (qc *queueCall) talkEnded(by call.HangupBy) {
	_ = qc.q.Do(queueing.TalkEnded{Call: qc.c.ID, By: by})
}
