package cdr

import (
	"time"

	"github.com/hotline-oss/hotline/call"
)

// talkSegment is one agent's conversation with the caller, from
// AgentAnswered to that agent's TalkEnded. A call transferred back into a
// queue has one per agent; each is credited to the visit it was answered
// in, so that queue and agent figures count every agent's own part.
type talkSegment struct {
	active bool
	visit  int // index into Visits, or -1 when answered outside a queue
	start  time.Time
	hold   time.Duration
	// handedOver: an attended transfer; the next TalkEnded (the
	// transferring agent's) starts the consulted agent's segment.
	handedOver bool
}

func (b *Builder) agentAnswered(e call.Event) {
	r := &b.rec
	if r.AgentAnswered.IsZero() {
		r.AgentAnswered, r.Agent = e.Time, e.Agent
	}
	b.endTalk(e.Time) // a missed TalkEnded of an earlier agent
	b.callbackVisit(e)
	visit := b.openVisit
	b.closeVisit(e, OutcomeAnswered)
	// The event's Wait is the call's total queue wait over all visits.
	if e.Wait > 0 {
		r.QueueWait = e.Wait
	}
	b.talk = talkSegment{active: true, visit: visit, start: e.Time}
}

func (b *Builder) held(at time.Time) {
	if b.holdStart.IsZero() {
		b.holdStart = at
		b.rec.HoldCount++
	}
}

func (b *Builder) unheld(at time.Time) {
	if b.holdStart.IsZero() {
		return
	}
	d := max(at.Sub(b.holdStart), 0)
	b.rec.Hold += d
	if b.talk.active {
		b.talk.hold += d
	}
	b.holdStart = time.Time{}
}

func (b *Builder) transferred(e call.Event) {
	b.rec.TransferKind, b.rec.TransferTarget = e.TransferKind, e.Target
	if b.talk.active && b.talk.visit >= 0 {
		b.rec.Visits[b.talk.visit].TransferKind = e.TransferKind
	}
	b.talk.handedOver = b.talk.active && e.TransferKind == "attended"
}

func (b *Builder) talkEnded(e call.Event) {
	if e.HangupBy != "" {
		b.rec.HangupBy = e.HangupBy
	}
	handedOver := b.talk.handedOver
	b.endTalk(e.Time)
	if handedOver {
		// The caller talks on with the consulted agent, outside any visit.
		b.talk = talkSegment{active: true, visit: -1, start: e.Time}
	}
}

// endTalk closes the hold and the talk segment in progress, if any.
func (b *Builder) endTalk(at time.Time) {
	b.unheld(at)
	seg := b.talk
	if !seg.active {
		return
	}
	b.talk = talkSegment{}
	talk := max(at.Sub(seg.start)-seg.hold, 0)
	b.rec.Talk += talk
	b.rec.TalkEnded = at
	if seg.visit >= 0 {
		v := &b.rec.Visits[seg.visit]
		v.TalkEnded, v.Talk, v.Hold = at, talk, seg.hold
	}
}
