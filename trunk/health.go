package trunk

// Health follows a trunk's OPTIONS pings: it is up at start (a trunk is
// presumed to work until it proves otherwise), down after downAfter
// unanswered pings in a row, and up again at the first answer.
type Health struct {
	downAfter int
	missed    int
	down      bool
}

// NewHealth starts up; downAfter below 1 counts as 1.
func NewHealth(downAfter int) *Health { return &Health{downAfter: max(downAfter, 1)} }

// Up reports whether the trunk is up.
func (h *Health) Up() bool { return !h.down }

// Observe records one ping: answered is true for any response (even 4xx
// or 5xx, which prove the far end is there: many carriers answer OPTIONS
// with 403 or 405). It reports whether the state changed.
func (h *Health) Observe(answered bool) (changed bool) {
	if answered {
		h.missed = 0
		if h.down {
			h.down = false
			return true
		}
		return false
	}
	h.missed++
	if !h.down && h.missed >= h.downAfter {
		h.down = true
		return true
	}
	return false
}
