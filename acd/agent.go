package acd

import (
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/call"
)

// agent is a configured agent and its live state.
type agent struct {
	cfg    AgentConfig
	state  State
	since  time.Time
	reason string // pause reason while Paused

	after       pending // what to do once the current call's wrap-up ends
	afterReason string  // pause reason for pendingPause

	member   []membership // queues the agent is eligible for, in config order
	routable bool         // held by the strategies of those queues

	call    *queuedCall // ringing for or connected to
	consult string      // the internal consult call keeping the agent busy, if any
	wrap    wrapUp      // the call in wrap-up, then the last call

	idleSince    time.Time
	callsToday   int
	talkToday    time.Duration
	noAnswers    int // consecutive
	backoffUntil time.Time

	wrapTimer, backoffTimer timer

	removed bool // removed by a reload; forgotten once logged out
}

type membership struct {
	q    *queue
	cand strategy.Candidate
}

// wrapUp is what the ACD remembers of an agent's last call.
type wrapUp struct {
	callID string
	queue  *queue
	talk   time.Duration
	hold   time.Duration
	start  time.Time // when talk ended
}

// pending is a logout or pause asked for during a call, applied when its
// wrap-up ends.
type pending uint8

const (
	pendingNone pending = iota
	pendingPause
	pendingLogout
)

func (p pending) String() string {
	switch p {
	case pendingPause:
		return "pause"
	case pendingLogout:
		return "logout"
	}
	return ""
}

// transition moves ag on e, emitting AgentStateChanged, or reports why not.
func (a *ACD) transition(ag *agent, e AgentEvent, reason string) error {
	next, err := Transition(ag.state, e)
	if err != nil {
		return fmt.Errorf("acd: agent %s: %w", ag.cfg.ID, err)
	}
	a.setState(ag, next, reason)
	return nil
}

// mustTransition is for moves the ACD makes on its own, which its
// bookkeeping guarantees are legal.
func (a *ACD) mustTransition(ag *agent, e AgentEvent, reason string) {
	if err := a.transition(ag, e, reason); err != nil {
		panic(err)
	}
}

func (a *ACD) setState(ag *agent, next State, reason string) {
	prev := ag.state
	for _, m := range ag.member {
		m.q.count[prev]--
		m.q.count[next]++
	}
	ag.state, ag.since = next, a.now
	ag.reason = ""
	if next == Paused {
		ag.reason = reason
	}
	e := call.Event{
		Kind: call.AgentStateChanged, Agent: ag.cfg.ID,
		PrevState: prev.String(), State: next.String(), Reason: reason,
	}
	switch {
	case ag.call != nil:
		e.CallID, e.Queue = ag.call.id, ag.call.queue.cfg.Name
	case next == Wrapup:
		e.CallID, e.Queue = ag.wrap.callID, ag.wrap.queue.cfg.Name
	}
	a.emit(e)
	a.refreshRoutable(ag)
}

// refreshRoutable adds ag to, or withdraws it from, the strategies of its
// queues so that they hold exactly the eligible agents.
func (a *ACD) refreshRoutable(ag *agent) {
	want := ag.state == Available && !ag.backoffUntil.After(a.now)
	if want == ag.routable {
		return
	}
	ag.routable = want
	for i := range ag.member {
		m := &ag.member[i]
		if !want {
			m.q.strategy.Remove(&m.cand)
			continue
		}
		m.cand.IdleSince = ag.idleSince
		m.cand.CallsToday = ag.callsToday
		m.cand.TalkToday = ag.talkToday
		m.q.strategy.Add(&m.cand)
		a.markDirty(m.q)
	}
}

// civilDay is a calendar date in the clock's location.
type civilDay struct {
	year  int
	month time.Month
	day   int
}

func dayOf(t time.Time) civilDay {
	y, m, d := t.Date()
	return civilDay{y, m, d}
}

// ResetDailyCounters zeroes every agent's calls and talk time today. The ACD
// does this itself when its clock passes midnight; the runtime may call it
// for another schedule (a shift change, say).
func (a *ACD) ResetDailyCounters() {
	a.begin()
	a.resetDaily()
}

func (a *ACD) resetDaily() {
	for _, ag := range a.agents {
		ag.callsToday, ag.talkToday = 0, 0
		if ag.routable {
			// Re-add with the new keys so the strategies re-rank.
			ag.routable = false
			for i := range ag.member {
				ag.member[i].q.strategy.Remove(&ag.member[i].cand)
			}
			a.refreshRoutable(ag)
		}
	}
}
