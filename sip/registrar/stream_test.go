package registrar

import (
	"fmt"
	"testing"
	"time"
)

func TestTCPRegistrationsShorterThanIdleTimeout(t *testing.T) {
	clock := &testClock{time.Unix(1_800_000_000, 0)}
	r := New(clock.now, nil)
	r.StreamMaxExpires = StreamLimit(10 * time.Minute)
	for _, tc := range []struct {
		transport string
		want      time.Duration
	}{{"UDP", time.Hour}, {"TCP", 9 * time.Minute}, {"TLS", 9 * time.Minute}} {
		req := registerWith(t, "c-"+tc.transport, 1, "3600", fmt.Sprintf("<sip:1001@10.0.0.5:5062;transport=%s>", tc.transport))
		req.SetTransport(tc.transport)
		bs, err := r.Update("u"+tc.transport, req, "203.0.113.5:40000")
		if err != nil || len(bs) != 1 {
			t.Fatalf("%s: %v %+v", tc.transport, err, bs)
		}
		if got := bs[0].Expires.Sub(clock.now()); got != tc.want {
			t.Errorf("%s registration granted %v, want %v", tc.transport, got, tc.want)
		}
	}
	if got := StreamLimit(0); got != 0 {
		t.Errorf("no idle timeout: limit %v, want none", got)
	}
}
