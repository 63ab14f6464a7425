package app

// followClusterAgents makes workforce's live adherence the whole
// cluster's on this node: the agents of this node reach it on the bus
// (their node announces their state changes), those of the other nodes
// from this node's router, which applies every command; so each change
// is counted once. Every node then measures every agent, and only the
// leader raises the alerts (one webhook per alert, not one per node).
func (n *clusterNode) followClusterAgents(s *Server) {
	if s.workforce == nil {
		return
	}
	n.leader.ObserveOtherAgents(s.workforce.HandleEvent)
	s.workforce.SetRaisesAlerts(func() bool {
		_, leading := n.el.Leading()
		return leading
	})
}
