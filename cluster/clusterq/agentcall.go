package clusterq

import (
	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// AgentCallNode is the call an agent serves now (talking or holding it)
// and the node that holds the call's caller, as this node's router sees
// the cluster; both "" when the agent serves no caller (a consult call
// an agent takes is no caller's). A consult call that agent places
// belongs on that node: it is where the attended transfer that may
// follow can bridge the caller with the colleague.
func (q *Queueing[L]) AgentCallNode(agent string) (callID, node string) {
	q.deps.Leader.View(func(r *routing.Router) {
		info, err := r.Agent(agent)
		if err != nil || (info.State != acd.Talking && info.State != acd.Hold) || info.CallID == "" {
			return
		}
		if n := r.CallNode(info.CallID); n != "" {
			callID, node = info.CallID, n
		}
	})
	return callID, node
}
