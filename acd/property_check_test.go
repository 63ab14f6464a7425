package acd

import (
	"slices"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// checkEvents follows each agent's chain of state changes and brings
// auto-paused agents back after a while, as a supervisor would.
func (s *sim) checkEvents() {
	for _, e := range s.h.events[s.seen:] {
		if e.Time.Before(s.lastTime) {
			s.fail("event %s at %v after one at %v", e.Kind, e.Time, s.lastTime)
		}
		s.lastTime = e.Time
		if e.Kind != call.AgentStateChanged {
			continue
		}
		if s.agentState[e.Agent] != e.PrevState {
			s.fail("agent %s went %s→%s but was %s", e.Agent, e.PrevState, e.State, s.agentState[e.Agent])
		}
		s.agentState[e.Agent] = e.State
		if e.Reason == ReasonNoAnswer {
			id := e.Agent
			s.at(s.rand(5*time.Second, time.Minute), func() { s.agentWhim(id) })
		}
	}
	s.seen = len(s.h.events)
}

// checkAgents compares each agent's state with the calls the runtime knows.
func (s *sim) checkAgents() {
	for _, info := range s.h.acd.Agents() {
		if info.State.String() != s.agentState[info.ID] {
			s.fail("agent %s is %s but its events say %s", info.ID, info.State, s.agentState[info.ID])
		}
		c := s.callOf(info.ID)
		ringing := c != nil && slices.Contains(c.Legs, info.ID)
		talking := c != nil && c.status == statusConnected
		switch {
		case ringing != (info.State == Ringing):
			s.fail("agent %s is %s; runtime has it ringing=%v", info.ID, info.State, ringing)
		case talking != info.State.OnCall():
			s.fail("agent %s is %s; runtime has it talking=%v", info.ID, info.State, talking)
		case talking && c.Held != (info.State == Hold):
			s.fail("agent %s is %s; runtime has the call held=%v", info.ID, info.State, c.Held)
		case c != nil && info.CallID != c.ID:
			s.fail("agent %s is on %s; runtime says %s", info.ID, info.CallID, c.ID)
		}
	}
}

// checkQueues compares waiting counts and positions, and checks that no
// queue has a caller waiting unoffered while one of its agents sits idle.
func (s *sim) checkQueues() {
	idle := map[string]bool{}
	for _, info := range s.h.acd.Agents() {
		if info.State == Available && info.BackoffUntil.IsZero() {
			idle[info.ID] = true
		}
	}
	for _, q := range simQueues {
		waiting := 0
		for _, c := range s.calls {
			if c.status != statusWaiting || c.Queue != q {
				continue
			}
			waiting++
			if pos, err := s.h.acd.Position(c.ID); err != nil || pos != s.position(c) {
				s.fail("call %s at position %d (%v), runtime counts %d", c.ID, pos, err, s.position(c))
			}
			if !c.ready() {
				continue
			}
			for _, id := range s.members[q] {
				if idle[id] {
					s.fail("call %s waits in %s while agent %s is idle", c.ID, q, id)
				}
			}
		}
		stats, _ := s.h.acd.QueueStats(q)
		if stats.Waiting != waiting {
			s.fail("queue %s has %d waiting, runtime counts %d", q, stats.Waiting, waiting)
		}
	}
}

// checkEnd: every stint of every caller ended exactly one way, nobody is
// left waiting or talking, and every agent is free.
func (s *sim) checkEnd() {
	if len(s.calls) != 50 {
		s.fail("%d callers arrived, want 50", len(s.calls))
	}
	for _, c := range s.calls {
		if c.status != statusDone {
			s.fail("call %s never finished: %+v", c.ID, c)
		}
		for i, o := range c.outcomes {
			if o == "" {
				s.fail("call %s stint %d has no outcome", c.ID, i+1)
			}
		}
	}
	for _, q := range s.h.acd.Queues() {
		if q.Waiting != 0 {
			s.fail("queue %s still has %d callers", q.Name, q.Waiting)
		}
	}
	for _, info := range s.h.acd.Agents() {
		if info.CallID != "" && info.State != Wrapup {
			s.fail("agent %s still on %s", info.ID, info.CallID)
		}
	}
}
