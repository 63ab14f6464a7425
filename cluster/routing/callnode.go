package routing

// CallNode is the node holding a call's caller leg (where its media
// runs); "" when the ACD does not hold the call.
func (r *Router) CallNode(call string) string { return r.callNode[call] }
