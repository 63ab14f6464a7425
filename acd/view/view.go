package view

import (
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
)

// QueueStats is a queue's state for metrics and the wallboard.
type QueueStats struct {
	Name              string
	Waiting           int           // callers in the queue, including those ringing an agent
	Ringing           int           // of which ringing an agent now
	OldestWait        time.Duration // longest current wait; 0 when nobody waits
	ExpectedWait      time.Duration // for a caller joining now
	AverageHandleTime time.Duration // rolling, acdconfig.DefaultHandleTime before any call
	ServiceLevel      time.Duration // the queue's threshold, for the metrics
	Members           int           // agents eligible for the queue
	LoggedIn          int
	Agents            map[agentstate.State]int // eligible agents in each state
}

// AgentInfo is an agent's state for the wallboard and the agent panel.
type AgentInfo struct {
	ID, Name, WorkNumber string
	State                agentstate.State
	Since                time.Time // when the agent entered State
	Reason               string    // pause reason while Paused
	CallID               string    // the call ringing, connected or in wrap-up
	Queue                string    // that call's queue
	Pending              string    // "pause" or "logout" once the current call's wrap-up ends
	BackoffUntil         time.Time // not offered calls before this (busy backoff)
	CallsToday           int
	TalkToday            time.Duration
	Queues               []string // queues the agent is eligible for
}

// CallInfo is a call the ACD holds, for the wallboard and the runtime.
type CallInfo struct {
	ID       string
	Queue    string
	Caller   string
	Priority int
	Joined   time.Time     // when it entered the queue
	Wait     time.Duration // time in the queue so far (until answered, once connected)
	Position int           // 1 = next; 0 once connected
	Ringing  []string      // agents ringing for it now
	Agent    string        // connected agent, once answered
}

// WaitingCall is a caller waiting in a queue, as a supervisor sees it.
type WaitingCall struct {
	CallID   string
	Queue    string
	Caller   string
	Priority int
	Position int // 1 = next
	Joined   time.Time
	Ringing  bool // an agent's phone rings for it now
	Callback bool // a pending callback, which keeps its place without a caller on the line
}
