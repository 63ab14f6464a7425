package trunk

import (
	"testing"
	"time"
)

func TestHealthGoesDownAfterMissedPingsAndUpAtOneAnswer(t *testing.T) {
	h := NewHealth(3)
	if !h.Up() {
		t.Fatal("a new trunk must start up")
	}
	for i, want := range []bool{false, false, true, false} {
		if changed := h.Observe(false); changed != want {
			t.Fatalf("miss %d: changed=%v, want %v", i+1, changed, want)
		}
	}
	if h.Up() {
		t.Fatal("down after 3 misses")
	}
	if !h.Observe(true) || !h.Up() {
		t.Fatal("one answer brings it up")
	}
	h.Observe(false)
	h.Observe(false)
	if !h.Up() || h.Observe(true) {
		t.Fatal("misses below down_after must not flap the state")
	}
}

func TestRegistrationBacksOffAndRefreshesBeforeExpiry(t *testing.T) {
	r := NewRegistration(Backoff{Min: 30 * time.Second, Max: 5 * time.Minute})
	var waits []time.Duration
	for range 6 {
		waits = append(waits, r.Failed())
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("retry waits %v, want %v", waits, want)
		}
	}
	if r.Registered() || r.Failures() != 6 {
		t.Fatal("failures must be counted")
	}
	if got := r.Granted(time.Hour); got != 45*time.Minute {
		t.Fatalf("refresh of 1h after %v, want 45m", got)
	}
	if !r.Registered() || r.Failures() != 0 {
		t.Fatal("a grant resets the failures")
	}
	if got := r.Granted(3 * time.Minute); got != 2*time.Minute {
		t.Fatalf("refresh of 3m after %v", got)
	}
	if got := r.Granted(60 * time.Second); got != 30*time.Second {
		t.Fatalf("refresh of 60s after %v", got)
	}
	if got := r.Granted(time.Second); got != time.Second {
		t.Fatalf("refresh of 1s after %v", got)
	}
	if NewRegistration(Backoff{}).Failed() != DefaultBackoff.Min {
		t.Fatal("zero backoff takes the default")
	}
}
