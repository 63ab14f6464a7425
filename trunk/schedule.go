package trunk

import "time"

// Backoff bounds the wait between registration attempts that failed.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff: 30 s after the first refusal, doubling up to 30 min, so a
// provider refusing the credentials sees a few attempts an hour, never a
// loop.
var DefaultBackoff = Backoff{Min: 30 * time.Second, Max: 30 * time.Minute}

// retry is the wait before attempt failures+1, after failures failed
// attempts in a row (failures >= 1).
func (b Backoff) retry(failures int) time.Duration {
	d := b.Min
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// refreshAfter is when a registration granted for granted is renewed: at
// half of it for grants up to 2 min, else at three quarters or a minute
// early, whichever is sooner; never sooner than 1 s. RFC 3261 §10.2.4
// leaves the margin to the client; this one leaves time for a lost
// REGISTER's retransmissions and one retry.
func refreshAfter(granted time.Duration) time.Duration {
	if granted <= 2*time.Minute {
		return max(granted/2, time.Second)
	}
	return min(granted-time.Minute, granted*3/4)
}

// Registration is the state of one trunk's outbound registration.
type Registration struct {
	backoff  Backoff
	failures int
	ok       bool
}

// NewRegistration starts unregistered.
func NewRegistration(b Backoff) *Registration {
	if b.Min <= 0 {
		b = DefaultBackoff
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	return &Registration{backoff: b}
}

// Registered reports whether the last attempt succeeded.
func (r *Registration) Registered() bool { return r.ok }

// Failures is the number of attempts failed in a row.
func (r *Registration) Failures() int { return r.failures }

// Granted records a success for granted and returns when to refresh.
func (r *Registration) Granted(granted time.Duration) time.Duration {
	r.ok, r.failures = true, 0
	return refreshAfter(granted)
}

// Failed records a refusal or an unanswered REGISTER and returns when to
// try again.
func (r *Registration) Failed() time.Duration {
	r.ok = false
	r.failures++
	return r.backoff.retry(r.failures)
}
