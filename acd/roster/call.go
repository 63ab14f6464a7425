package roster

import (
	"time"

	"github.com/hotline-oss/hotline/acd/callbacks"
	"github.com/hotline-oss/hotline/acd/view"
	"github.com/hotline-oss/hotline/acd/waitlist"
)

// Call is a call from joining a queue until it is answered and its talk
// ends, or it leaves the queue.
type Call struct {
	ID       string
	Caller   string
	Priority int
	Queue    *Queue
	Joined   time.Time

	WaitNode  WaitNode
	ReadyNode WaitNode
	Ready     bool     // in Queue.Ready
	Legs      []*Agent // agents ringing for it
	Tried     []*Agent // agents that failed it since the list last started over
	Overdue   bool     // MaxWait passed while it was ringing; overflow if the offer fails

	RingTimer, MaxWaitTimer, AnnounceTimer Timer

	Callback *Callback // set once the caller asked to be called back

	Agent      *Agent // connected agent, once answered
	AnsweredAt time.Time
	HoldStart  time.Time
	Held       time.Duration
}

// NewCall is a call with arrival sequence seq and its nodes and timers
// ready; it is in no list yet.
func NewCall(id, caller string, priority int, q *Queue, joined time.Time, seq uint64) *Call {
	c := &Call{ID: id, Caller: caller, Priority: priority, Queue: q, Joined: joined}
	key := waitlist.Key{Priority: priority, Seq: seq}
	c.WaitNode = WaitNode{Key: key, Value: c}
	c.ReadyNode = WaitNode{Key: key, Value: c}
	c.RingTimer = CallTimer(TimerRing, c)
	c.MaxWaitTimer = CallTimer(TimerMaxWait, c)
	c.AnnounceTimer = CallTimer(TimerAnnounce, c)
	return c
}

// Callback is a call's callback state and its timer (a retry pause or the
// give-up time).
type Callback struct {
	callbacks.State
	Timer Timer
}

// Connected reports whether an agent answered the call.
func (c *Call) Connected() bool { return c.Agent != nil }

// ServedBefore is the service order within a queue, and across queues when
// an agent serves several: priority, then the earlier arrival.
func ServedBefore(a, b *Call) bool { return a.WaitNode.Key.Before(b.WaitNode.Key) }

// Position is a waiting call's place in its queue (1 = next).
func (c *Call) Position() int { return c.Queue.Waiting.Rank(&c.WaitNode) + 1 }

// Info is the call's view at now.
func (c *Call) Info(now time.Time) view.CallInfo {
	info := view.CallInfo{
		ID: c.ID, Queue: c.Queue.Cfg.Name, Caller: c.Caller, Priority: c.Priority,
		Joined: c.Joined, Wait: now.Sub(c.Joined),
	}
	for _, ag := range c.Legs {
		info.Ringing = append(info.Ringing, ag.Cfg.ID)
	}
	if c.Connected() {
		info.Agent = c.Agent.Cfg.ID
		info.Wait = c.AnsweredAt.Sub(c.Joined)
		return info
	}
	info.Position = c.Position()
	return info
}

// SavedCallback is what must be saved of c, a pending callback, to
// restore it after a restart.
func (c *Call) SavedCallback() callbacks.Saved {
	return callbacks.Saved{
		CallbackID: c.ID, Queue: c.Queue.Cfg.Name, Caller: c.Caller, Number: c.Callback.Number,
		Priority: c.Priority, Queued: c.Joined, GiveUpAt: c.Callback.GiveUpAt, Attempts: c.Callback.Attempts,
	}
}

// LeaveLists takes a waiting call out of its queue's waiting and ready
// lists and forgets who failed it.
func (c *Call) LeaveLists() {
	c.Queue.Waiting.Remove(&c.WaitNode)
	if c.Ready {
		c.Queue.Ready.Remove(&c.ReadyNode)
		c.Ready = false
	}
	c.Tried = nil
}
