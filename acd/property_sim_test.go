package acd

import (
	"errors"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// apply plays the role of the runtime: it checks each action against what
// it knows and updates that knowledge.
func (s *sim) apply(acts []Action) {
	s.t.Helper()
	for _, act := range acts {
		switch a := act.(type) {
		case Queued:
			if pos := s.position(s.calls[a.CallID]); pos != a.Position {
				s.fail("queued %s at position %d, want %d", a.CallID, a.Position, pos)
			}
		case Blocked:
			s.closeStint(s.calls[a.CallID], "blocked")
		case Rejected:
			s.closeStint(s.calls[a.CallID], "rejected")
		case Offer:
			s.offered(a)
		case CancelOffer:
			c := s.calls[a.CallID]
			if !slices.Contains(c.Legs, a.AgentID) {
				s.fail("cancel offer of %s to %s which is not ringing", a.CallID, a.AgentID)
			}
			c.Legs = slices.DeleteFunc(c.Legs, func(id string) bool { return id == a.AgentID })
		case Connect:
			s.connected(a)
		case Announce:
			c := s.calls[a.CallID]
			if !c.ready() || s.position(c) != a.Position {
				s.fail("announce %+v for call %+v at position %d", a, c, s.position(c))
			}
		case Overflow:
			s.overflowed(a)
		case Leave:
			c := s.calls[a.CallID]
			if !c.ready() {
				s.fail("leave for a call that is not waiting: %+v", c)
			}
			s.closeStint(c, "left")
		case StartWrapup:
			if s.rng.IntN(3) == 0 {
				id := a.AgentID
				s.at(s.rand(time.Second, 10*time.Second), func() { s.readyEarly(id) })
			}
		default:
			s.fail("unknown action %T", act)
		}
	}
	// Follow-ups (re-entering a queue) happen after the whole batch, as a
	// runtime carrying the actions out in order would do them.
	for len(s.later) > 0 {
		next := s.later[0]
		s.later = s.later[1:]
		next()
	}
}

// position is where c stands among the waiting calls of its queue, in
// priority-then-arrival order.
func (s *sim) position(c *simCall) int {
	pos := 1
	for _, o := range s.calls {
		if o != c && o.status == statusWaiting && o.Queue == c.Queue && s.before(o, c) {
			pos++
		}
	}
	return pos
}

func (s *sim) before(a, b *simCall) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.order < b.order
}

// offered checks that the call was the next one due, for its queue and for
// every queue of the agents rung, and that no agent rings twice.
func (s *sim) offered(o Offer) {
	c := s.calls[o.CallID]
	if !c.ready() {
		s.fail("offer of %s which is not waiting unoffered: %+v", o.CallID, c)
	}
	for _, id := range o.AgentIDs {
		if !slices.Contains(s.members[c.Queue], id) {
			s.fail("offer of %s to %s, not a member of %s", o.CallID, id, c.Queue)
		}
		if busy := s.callOf(id); busy != nil {
			s.fail("offer of %s to %s who is busy with %s", o.CallID, id, busy.ID)
		}
		for _, other := range s.calls {
			if other.ready() && other != c && slices.Contains(s.members[other.Queue], id) && s.before(other, c) {
				s.fail("offer of %s (prio %d) to %s while %s (prio %d, queue %s) waits ahead",
					c.ID, c.Priority, id, other.ID, other.Priority, other.Queue)
			}
		}
	}
	c.Legs = slices.Clone(o.AgentIDs)
	c.offerGen++
	gen := c.offerGen
	for _, id := range o.AgentIDs {
		s.react(c, gen, id)
	}
}

// react schedules what the rung agent does: answer, refuse, fail or let it
// ring out.
func (s *sim) react(c *simCall, gen int, agentID string) {
	live := func() bool { return c.offerGen == gen && slices.Contains(c.Legs, agentID) }
	r := s.rng.IntN(100)
	switch {
	case r < 55:
		s.at(s.rand(500*time.Millisecond, 20*time.Second), func() {
			if live() {
				acts, err := s.h.acd.OfferAnswered(c.ID, agentID)
				c.Legs = slices.DeleteFunc(c.Legs, func(id string) bool { return id == agentID })
				s.must("answer", acts, err)
			}
		})
	case r < 80:
		why := []OfferFailure{FailBusy, FailDeclined, FailFailed}[s.rng.IntN(3)]
		s.at(s.rand(0, 5*time.Second), func() {
			if live() {
				c.Legs = slices.DeleteFunc(c.Legs, func(id string) bool { return id == agentID })
				acts, err := s.h.acd.OfferFailed(c.ID, agentID, why)
				s.must("offer failed", acts, err)
			}
		})
	}
}

func (s *sim) connected(a Connect) {
	c := s.calls[a.CallID]
	if c.status != statusWaiting || len(c.Legs) != 0 {
		s.fail("connect %s with legs %v left ringing", a.CallID, c.Legs)
	}
	c.status, c.Agent = statusConnected, a.AgentID
	s.closeStint(c, "answered")
	stint := c.stint
	live := func() bool { return c.stint == stint && c.status == statusConnected }
	if s.rng.IntN(3) == 0 {
		s.at(s.rand(time.Second, time.Minute), func() {
			if live() && !c.Held {
				c.Held = true
				s.noErr("hold", s.h.acd.Hold(c.ID))
				s.at(s.rand(time.Second, time.Minute), func() {
					if live() && c.Held {
						c.Held = false
						s.noErr("unhold", s.h.acd.Unhold(c.ID))
					}
				})
			}
		})
	}
	s.at(s.rand(20*time.Second, 7*time.Minute), func() {
		if live() {
			s.hangUp(c)
		}
	})
}

// hangUp ends the talk, sometimes by transferring the call to the other
// queue, where it starts a new stint.
func (s *sim) hangUp(c *simCall) {
	c.status, c.Agent, c.Held = statusDone, "", false
	if s.rng.IntN(10) > 0 {
		by := []call.HangupBy{call.HangupByCaller, call.HangupByAgent}[s.rng.IntN(2)]
		acts, err := s.h.acd.TalkEnded(c.ID, by)
		s.must("talk ended", acts, err)
		return
	}
	target := simQueues[0]
	if c.Queue == target {
		target = simQueues[1]
	}
	acts, err := s.h.acd.Transfer(c.ID, TransferBlind, "queue:"+target)
	s.must("transfer", acts, err)
	s.arrive(c.ID, target, c.Priority)
}

func (s *sim) overflowed(o Overflow) {
	c := s.calls[o.CallID]
	if !c.ready() {
		s.fail("overflow of %s which is not waiting unoffered: %+v", o.CallID, c)
	}
	s.closeStint(c, "overflowed")
	if kind, name, _ := SplitTarget(o.Target); kind == TargetQueue {
		s.later = append(s.later, func() { s.arrive(c.ID, name, c.Priority) })
	}
}

func (s *sim) noErr(what string, err error) {
	s.t.Helper()
	if err != nil {
		s.fail("%s: %v", what, err)
	}
}

func (s *sim) readyEarly(id string) {
	if info, _ := s.h.acd.Agent(id); info.State == Wrapup {
		acts, err := s.h.acd.AgentReady(id)
		s.must("ready early", acts, err)
	}
}

// agentWhim is an agent doing as agents do: logging in and out, pausing,
// coming back, and now and then pressing a button that is not allowed.
// After the last arrival agents only come back, so the day can end.
func (s *sim) agentWhim(id string) {
	info, _ := s.h.acd.Agent(id)
	late := s.h.clock.t.After(s.end)
	var acts []Action
	var err error
	switch r := s.rng.IntN(10); {
	case info.State == LoggedOut:
		acts, err = s.h.acd.AgentLogin(id)
	case info.State == Paused || late:
		acts, err = s.h.acd.AgentReady(id) // also cancels a deferred pause or logout
		if info.State == Ringing && errors.Is(err, ErrInvalidTransition) {
			err = nil
		}
	case r < 4:
		acts, err = s.h.acd.AgentPause(id, "break")
	case r < 6:
		acts, err = s.h.acd.AgentLogout(id)
	case r < 8:
		acts, err = s.h.acd.AgentReady(id)
		if info.State == Ringing && errors.Is(err, ErrInvalidTransition) {
			err = nil
		}
	default:
		_, err = s.h.acd.AgentLogin(id)
		if !errors.Is(err, ErrInvalidTransition) {
			s.fail("login of logged-in agent %s: %v", id, err)
		}
		err = nil
	}
	s.must("agent "+id, acts, err)
	after, _ := s.h.acd.Agent(id)
	if !late || after.State == LoggedOut || after.State == Paused || after.Pending != "" {
		s.at(s.rand(10*time.Second, 3*time.Minute), func() { s.agentWhim(id) })
	}
}

// callOf is the call an agent rings for or talks on, as the runtime knows.
func (s *sim) callOf(agentID string) *simCall {
	var found *simCall
	for _, c := range s.calls {
		if slices.Contains(c.Legs, agentID) || c.status == statusConnected && c.Agent == agentID {
			if found != nil {
				s.fail("agent %s has two calls: %s and %s", agentID, found.ID, c.ID)
			}
			found = c
		}
	}
	return found
}
