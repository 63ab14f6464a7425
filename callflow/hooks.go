package callflow

import (
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/callleg"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
)

// QueueHooks follow one queued call, called in this order: BeforeQueue
// once, Enqueue at each queue entry, OnBridge at each talk with an agent,
// AgentChanged after an attended transfer, Finish when the call leaves
// queueing, AfterTalk once the talk ended. The care features implement
// them.
type QueueHooks interface {
	// BeforeQueue may move the call to another queue and priority, and
	// play to the caller; left reports that the caller hung up.
	BeforeQueue(leg *callleg.Leg, lang, queue string, priority int) (string, int, bool)
	// Enqueue names an agent to wait for first, for up to grace.
	Enqueue() (agent string, grace time.Duration)
	OnBridge(bridge *media.BridgeHandle, queue, agent string)
	AgentChanged(agent string)
	Finish()
	AfterTalk(leg *callleg.Leg, out TalkOutcome, lang string)
}

// TalkOutcome is how a queued call ended, for AfterTalk.
type TalkOutcome struct {
	Result call.Result
	Reason string
	Queue  string // the queue the call was in at the end
}

// WaitHooks follow a caller while they wait; virtual hold implements
// them.
type WaitHooks interface {
	// Refs is what to add to an announcement (an offer), if anything.
	Refs(queue string, ewt time.Duration) []ivr.PromptRef
	// Digit is what a key the caller pressed meant to the hook.
	Digit(queue string, d rune) KeyOutcome
}

// KeyOutcome is what a WaitHooks made of a key.
type KeyOutcome uint8

const (
	KeyNotMine    KeyOutcome = iota // the call path handles the key
	KeyResume                       // the hook's dialogue ended: music again
	KeyCallerLeft                   // the caller hung up during the dialogue
	KeyCallback                     // the call became a callback: let the caller go
)

// BridgeWatcher is told that a caller and an agent talk over a bridge,
// until untrack (supervisor monitoring).
type BridgeWatcher interface {
	Track(callID, agent string, bridge *media.BridgeHandle) (untrack func())
}

// FaultFiled is a fault report filed from the IVR, for Deps.FaultFiled.
type FaultFiled struct {
	CallID, Caller, Account, Recording, WorkOrder, Language string
	CallerTrusted                                           bool
}

// noQueueHooks is the QueueHooks of a server without care features.
type noQueueHooks struct{}

func (noQueueHooks) BeforeQueue(_ *callleg.Leg, _, queue string, priority int) (string, int, bool) {
	return queue, priority, false
}
func (noQueueHooks) Enqueue() (string, time.Duration)             { return "", 0 }
func (noQueueHooks) OnBridge(*media.BridgeHandle, string, string) {}
func (noQueueHooks) AgentChanged(string)                          {}
func (noQueueHooks) Finish()                                      {}
func (noQueueHooks) AfterTalk(*callleg.Leg, TalkOutcome, string)  {}

// noWaitHooks is the WaitHooks of a server without virtual hold.
type noWaitHooks struct{}

func (noWaitHooks) Refs(string, time.Duration) []ivr.PromptRef { return nil }
func (noWaitHooks) Digit(string, rune) KeyOutcome              { return KeyNotMine }

func (f *Flow) queueHooks(c *sip.Call, leg *callleg.Leg, lang string) QueueHooks {
	if f.d.QueueHooks == nil {
		return noQueueHooks{}
	}
	return f.d.QueueHooks(c, leg, lang)
}

func (f *Flow) waitHooks(c *sip.Call, leg *callleg.Leg, lang string) WaitHooks {
	if f.d.WaitHooks == nil {
		return noWaitHooks{}
	}
	return f.d.WaitHooks(c, leg, lang)
}

// watchBridge tells the bridge watcher, if any, that callID's caller now
// talks to agent over bridge; calling the result says the talk is over.
func (f *Flow) watchBridge(callID, agent string, bridge *media.BridgeHandle) (untrack func()) {
	if f.d.Bridges == nil {
		return func() {}
	}
	return f.d.Bridges.Track(callID, agent, bridge)
}
