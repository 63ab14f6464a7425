package sipheader

import (
	"strconv"
	"time"
)

// NewTimerPolicy is our side of session timer negotiation from the
// configured Min-SE and the interval to ask for: zero takes the defaults
// (DefaultMinSE, DefaultSessionExpires), a negative sessionExpires turns
// session timers off, and we never ask for less than our Min-SE.
func NewTimerPolicy(minSE, sessionExpires time.Duration) TimerPolicy {
	p := TimerPolicy{MinSE: minSE, Prefer: sessionExpires, Disable: sessionExpires < 0}
	if p.MinSE <= 0 {
		p.MinSE = DefaultMinSE
	}
	if p.Prefer == 0 {
		p.Prefer = DefaultSessionExpires
	}
	if p.Prefer > 0 && p.Prefer < p.MinSE {
		p.Prefer = p.MinSE
	}
	return p
}

// FormatSeconds writes d in whole seconds, as Min-SE and Session-Expires
// carry it.
func FormatSeconds(d time.Duration) string {
	return strconv.Itoa(int(d / time.Second))
}
