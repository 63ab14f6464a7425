package callbackconf

import (
	"testing"
	"time"
)

func TestCallbackDefaults(t *testing.T) {
	d := QueueCallback{Enabled: true}.WithDefaults()
	if d.OfferAfter != 60*time.Second || d.Digit != "1" || !*d.AllowOtherNumber || d.MaxAttempts != 3 ||
		d.RetryAfter != 2*time.Minute || d.GiveUpAfter != 2*time.Hour || d.RingTimeout != 30*time.Second {
		t.Fatalf("defaults %+v", d)
	}
	if g := (CallbackGateway{}).WithDefaults(); g.Transport != "udp" || g.MaxConcurrent != 10 {
		t.Fatalf("gateway defaults %+v", g)
	}
}
