package sipheader

import (
	"testing"
	"time"
)

func TestNewTimerPolicy(t *testing.T) {
	for _, tc := range []struct {
		minSE, expires time.Duration
		want           TimerPolicy
	}{
		{0, 0, TimerPolicy{MinSE: DefaultMinSE, Prefer: DefaultSessionExpires}},
		{120 * time.Second, 60 * time.Second, TimerPolicy{MinSE: 120 * time.Second, Prefer: 120 * time.Second}},
		{0, -1, TimerPolicy{MinSE: DefaultMinSE, Prefer: -1, Disable: true}},
	} {
		if got := NewTimerPolicy(tc.minSE, tc.expires); got != tc.want {
			t.Errorf("NewTimerPolicy(%v, %v) = %+v, want %+v", tc.minSE, tc.expires, got, tc.want)
		}
	}
	if got := FormatSeconds(90*time.Second + 500*time.Millisecond); got != "90" {
		t.Errorf("FormatSeconds = %q", got)
	}
}
