package cluster

import "github.com/hotline-oss/hotline/call"

// EventFunc is handed one event of the ACD.
type EventFunc func(call.Event)

// ObserveOtherAgents hands f the state changes (call.AgentStateChanged)
// of the agents that act through other nodes, as this node's router
// applies them: every router applies every command, so each node sees
// every agent's state change at the same ACD time as the agent's own
// node, which alone announces it on its bus. With the node's own agents'
// changes, read from its bus, a follower of agents' states (live
// adherence) sees the whole cluster, each change once.
//
// Like the events of Observe, through which the ACD's events reach this
// node at all (call it too), f runs under the Leader's lock and must not
// block; commands applied silently at start are not shown. Call it before
// Run.
func (l *Leader) ObserveOtherAgents(f EventFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.otherAgents = f
}
