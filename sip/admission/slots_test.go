package admission

import (
	"testing"

	"github.com/hotline-oss/hotline/sip/guard"
)

type limiterFunc func() string

func (f limiterFunc) Admit() string { return f() }

// A channel is taken only when every check passes: a refusal by the
// limiter gives back the channel it took, and draining refuses before
// counting.
func TestSlotsTakeAChannelOnlyWhenAdmitted(t *testing.T) {
	refuse := ""
	s := NewSlots(2, limiterFunc(func() string { return refuse }))
	for i := range 2 {
		if r := s.Reserve(); r != "" {
			t.Fatalf("call %d refused: %s", i+1, r)
		}
	}
	if r := s.Reserve(); r != guard.BlockedChannelLimit || s.Taken() != 2 {
		t.Fatalf("third call: %q with %d taken, want %q with 2", r, s.Taken(), guard.BlockedChannelLimit)
	}
	s.Release()
	refuse = guard.BlockedCallRate
	if r := s.Reserve(); r != guard.BlockedCallRate || s.Taken() != 1 {
		t.Fatalf("limited call: %q with %d taken, want %q with 1", r, s.Taken(), guard.BlockedCallRate)
	}
	refuse = ""
	s.Drain()
	if r := s.Reserve(); r != guard.BlockedDraining || s.Taken() != 1 || !s.Draining() {
		t.Fatalf("while draining: %q with %d taken", r, s.Taken())
	}
}
