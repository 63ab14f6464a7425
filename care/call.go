package care

import (
	"log/slog"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
)

// Leg is the caller's leg as the care features use it: prompts, keys and
// hang-up (callleg.Leg).
type Leg interface {
	Play(refs []ivr.PromptRef, bargeIn bool) error
	PlayAndWait(refs []ivr.PromptRef) (callerLeft bool)
	StopPlayback()
	Events() <-chan interp.Event
	Drain() (callerLeft bool)
	CallerGone() bool
}

// CallInfo is who called which number.
type CallInfo struct {
	ID, Caller, Number string
	Log                *slog.Logger
}

// Call is one queued call's care state and the hooks the call path calls
// on it, in order: BeforeQueue once, Enqueue at each queue entry, OnBridge
// at each talk with an agent, AgentChanged after an attended transfer,
// Finish when the call leaves queueing, AfterTalk when the talk ended.
// A nil *Call (no care features) does nothing.
type Call struct {
	svc    *Service
	c      CallInfo
	agent  string        // the agent who answered (for the survey)
	prefer string        // sticky agent for the first enqueue, then cleared
	grace  time.Duration // how long to wait for prefer
	// settings are the care settings as the call entered its queue: a
	// reload meanwhile does not change its survey or recording.
	settings *settings
	rec      *callRecording // the call's one recording, kept across transfers
}

// Join starts the care state of a call about to be queued.
func (svc *Service) Join(c CallInfo) *Call {
	if svc == nil {
		return nil
	}
	if c.Log == nil {
		c.Log = svc.log
	}
	return &Call{svc: svc, c: c}
}

// BeforeQueue runs when the IVR hands the caller to a queue: a repeat
// complainer goes to the senior queue, the caller hears that the call may
// be recorded, and a returning caller's last agent is looked up. left
// reports that the caller hung up meanwhile.
func (cc *Call) BeforeQueue(leg Leg, lang, queue string, priority int) (string, int, bool) {
	if cc == nil {
		return queue, priority, false
	}
	svc := cc.svc
	queue, priority = svc.routeComplainer(cc.c, queue, priority)
	cc.settings = svc.settings()
	if r := cc.recording(queue); r != nil && r.Announce {
		if leg.PlayAndWait([]ivr.PromptRef{{Lang: lang, Name: "recording_notice"}}) {
			return queue, priority, true
		}
	}
	cc.prefer, cc.grace = svc.preferAgent(cc.c, queue, cc.settings)
	return queue, priority, false
}

// Enqueue is the preferred agent of the call entering a queue: the sticky
// agent on the first entry, nobody after that (overflow, transfer).
func (cc *Call) Enqueue() (agent string, grace time.Duration) {
	if cc == nil || cc.prefer == "" {
		return "", 0
	}
	agent, grace = cc.prefer, cc.grace
	cc.prefer = ""
	return agent, grace
}

// OnBridge runs when the caller talks to agent over bridge in queue: the
// call's recording starts or goes on.
func (cc *Call) OnBridge(bridge *media.BridgeHandle, queue, agent string) {
	if cc == nil {
		return
	}
	cc.agent = agent
	cc.recordBridge(bridge, queue, agent)
}

// AgentChanged names the agent the caller talks to after an attended
// transfer: the survey rates them.
func (cc *Call) AgentChanged(agent string) {
	if cc != nil {
		cc.agent = agent
	}
}

// Finish ends the call's recording, after its last agent.
func (cc *Call) Finish() {
	if cc != nil {
		cc.rec.finish()
	}
}

// Agent is the agent who answered last.
func (cc *Call) Agent() string {
	if cc == nil {
		return ""
	}
	return cc.agent
}

// TalkOutcome is how a queued call ended, for AfterTalk.
type TalkOutcome struct {
	Result call.Result
	Reason string
	Queue  string // the queue the call was in at the end
}
