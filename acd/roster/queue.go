package roster

import (
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/acd/view"
	"github.com/hotline-oss/hotline/acd/waitlist"
)

// Queue is a configured queue and its live state.
type Queue struct {
	Cfg      acdconfig.QueueConfig
	Strategy strategy.Strategy
	Waiting  WaitList // every waiting call, including those ringing an agent
	Ready    WaitList // waiting calls not being offered right now
	Members  []*Agent // eligible members, in config order
	Count    [agentstate.NumStates]int
	Handle   view.HandleTimes
	Dirty    bool // changed since the engine last routed
	Draining bool // removed by a reload; serves the callers it has, takes no new ones
}

// The waiting and ready lists of a queue (package waitlist keeps the order).
type (
	WaitList = waitlist.List[*Call]
	WaitNode = waitlist.Node[*Call]
)

// LoggedIn counts the members logged in.
func (q *Queue) LoggedIn() int { return len(q.Members) - q.Count[agentstate.LoggedOut] }

// Staffed counts the members taking calls now or soon: logged in, not paused.
func (q *Queue) Staffed() int { return q.LoggedIn() - q.Count[agentstate.Paused] }

// ExpectedWait estimates the wait of the caller at position pos (1 = next)
// (view.ExpectedWait says how).
func (q *Queue) ExpectedWait(pos int) time.Duration {
	return view.ExpectedWait(pos, q.Strategy.Len(), q.Staffed(), q.Handle.Average())
}

// Stats is the queue's view at now.
func (q *Queue) Stats(now time.Time) view.QueueStats {
	s := view.QueueStats{
		Name:              q.Cfg.Name,
		Waiting:           q.Waiting.Len(),
		Ringing:           q.Waiting.Len() - q.Ready.Len(),
		ExpectedWait:      q.ExpectedWait(q.Waiting.Len() + 1),
		AverageHandleTime: q.Handle.Average(),
		ServiceLevel:      q.Cfg.ServiceLevel,
		Members:           len(q.Members),
		LoggedIn:          q.LoggedIn(),
		Agents:            make(map[agentstate.State]int, agentstate.NumStates),
	}
	if c := q.Waiting.Earliest(); c != nil {
		s.OldestWait = now.Sub(c.Joined)
	}
	for _, st := range agentstate.States {
		s.Agents[st] = q.Count[st]
	}
	return s
}

// WaitingCalls appends the queue's waiting callers, in service order, as a
// supervisor sees them.
func (q *Queue) WaitingCalls(out []view.WaitingCall) []view.WaitingCall {
	pos := 0
	q.Waiting.Each(func(c *Call) {
		pos++
		out = append(out, view.WaitingCall{
			CallID: c.ID, Queue: q.Cfg.Name, Caller: c.Caller, Priority: c.Priority,
			Position: pos, Joined: c.Joined, Ringing: len(c.Legs) > 0, Callback: c.Callback != nil,
		})
	})
	return out
}
