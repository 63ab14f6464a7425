package clusternode

import (
	clusterrouting "github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/store/cdr"
)

// handOverLost is what the leader does with the calls of a node declared
// gone (cluster.LostFunc): a call that waited or talked there ended with
// the node, so its record is written, with the end reason
// cdr.ReasonNodeLost; a callback the node held is taken over by this
// node's virtual hold and dialled from here if it is still saved (one
// whose agent was already connected gets a record too, which its own
// replaces once it ends). Both are harmless done twice (a
// leader taking over hands the recent ones over again): the record is
// written only if the call has none, so neither a second leader nor the
// dead node's spool written when it comes back makes two (the call's own
// record replaces it), and the ACD takes a callback back only once.
func (n *Node) handOverLost(term uint64, lost []clusterrouting.LostCall) {
	// Fenced: a leader replaced meanwhile leaves it to the next one.
	if now, ok := n.el.Leading(); !ok || now != term {
		return
	}
	var adopt []string
	for _, c := range lost {
		if c.Callback {
			adopt = append(adopt, c.Call)
		}
		if c.Callback && c.Agent == "" {
			continue // a callback nobody was on the line for is only taken over
		}
		rec := cdr.LostRecord(cdr.LostCall{
			CallID: c.Call, Caller: c.Caller, Queue: c.Queue, Priority: c.Priority, Queued: c.Queued,
			Agent: c.Agent, Answered: c.Answered, Ended: c.At,
		})
		if n.deps.RecordLost == nil || !n.deps.RecordLost(rec) {
			continue
		}
		n.log.Warn("cluster: call lost with its node; its record is written", "call", c.Call, "gone", c.Node, "agent", c.Agent)
	}
	if len(adopt) > 0 && n.deps.AdoptCallbacks != nil {
		n.deps.AdoptCallbacks(adopt)
	}
}

// followClusterAgents makes workforce's live adherence the whole
// cluster's on this node: the agents of this node reach it on the bus
// (their node announces their state changes), those of the other nodes
// from this node's router, which applies every command; so each change
// is counted once. Every node then measures every agent, and only the
// leader raises the alerts (one webhook per alert, not one per node).
func (n *Node) followClusterAgents() {
	w := n.deps.Workforce
	if w == nil {
		return
	}
	n.leader.ObserveOtherAgents(w.HandleEvent)
	w.SetRaisesAlerts(n.Leading)
}
