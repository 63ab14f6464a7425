package view

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
)

// The rolling average starts at the default and covers the last
// handleWindow calls only.
func TestHandleTimesRoll(t *testing.T) {
	var h HandleTimes
	if got := h.Average(); got != acdconfig.DefaultHandleTime {
		t.Fatalf("empty average %v, want the default", got)
	}
	for range handleWindow {
		h.Add(time.Minute)
	}
	h.Add(time.Minute + handleWindow*time.Second)
	if got, want := h.Average(), time.Minute+time.Second; got != want {
		t.Fatalf("average %v, want %v", got, want)
	}
}

// Callers the idle agents take at once wait nothing; the rest share the
// staffed agents, at least one.
func TestExpectedWait(t *testing.T) {
	for _, tc := range []struct {
		pos, idle, staffed int
		want               time.Duration
	}{
		{1, 1, 1, 0},
		{3, 1, 2, 2 * time.Minute / 2},
		{2, 0, 0, 2 * time.Minute},
	} {
		if got := ExpectedWait(tc.pos, tc.idle, tc.staffed, time.Minute); got != tc.want {
			t.Errorf("ExpectedWait(%d, %d, %d) = %v, want %v", tc.pos, tc.idle, tc.staffed, got, tc.want)
		}
	}
}
