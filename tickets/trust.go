package tickets

// A caller's number is believed only when the call came from a trusted
// network (the carrier's side); from anywhere else it is a claim that may
// be shown but never dialled. The call path tells the tickets feature
// which calls were trusted (NoteCall); a ticket linked to such a call, for
// that caller, may get a return-visit call. Any other ticket keeps its
// number for the agents to see and is never dialled.

// maxTrustedCalls bounds the calls remembered: a day of a busy hotline.
const maxTrustedCalls = 100000

// trustedCalls remembers the recent calls whose caller number came from a
// trusted network, oldest first out. Guarded by Service.mu.
type trustedCalls struct {
	caller map[string]string // call id → the caller's number
	order  []string
}

func (c *trustedCalls) note(callID, caller string) {
	if c.caller == nil {
		c.caller = make(map[string]string)
	}
	if _, ok := c.caller[callID]; !ok {
		c.order = append(c.order, callID)
	}
	c.caller[callID] = caller
	for len(c.order) > maxTrustedCalls {
		delete(c.caller, c.order[0])
		c.order = c.order[1:]
	}
}

// vouches reports whether callID was a trusted call from caller.
func (c *trustedCalls) vouches(callID, caller string) bool {
	n, ok := c.caller[callID]
	return ok && caller != "" && n == caller
}

// NoteCall tells the tickets feature that call callID came from caller,
// and whether that number came from a trusted network. It touches memory
// only.
func (svc *Service) NoteCall(callID, caller string, trusted bool) {
	if svc == nil || !trusted || callID == "" || caller == "" {
		return
	}
	svc.mu.Lock()
	svc.trusted.note(callID, caller)
	svc.mu.Unlock()
}
