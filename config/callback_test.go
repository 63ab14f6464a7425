package config

import (
	"strings"
	"testing"
	"time"
)

func TestCallbackDemoParses(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	cb := c.Queues["repair"].Callback
	if cb == nil || cb.Enabled || cb.OfferAfter != time.Minute || cb.GiveUpAfter != 2*time.Hour {
		t.Fatalf("repair callback %+v", cb)
	}
	if g := c.CallbackGateway; g == nil || g.FromNumber != "95598" || g.MaxConcurrent != 10 {
		t.Fatalf("gateway %+v", g)
	}
}

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

func TestCallbackValidation(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	q := c.Queues["general"]
	q.Callback = &QueueCallback{Enabled: true, Digit: "#", MaxAttempts: 11, RetryAfter: time.Millisecond,
		GiveUpAfter: 6 * time.Hour, RingTimeout: time.Second}
	c.Queues["general"] = q
	c.CallbackGateway = &CallbackGateway{URI: "sip:gw.example.com", Transport: "tls", FromNumber: "a b", MaxConcurrent: -1}
	all := joinErrs(c.validateCallback())
	for _, want := range []string{"queues.general.callback: digit", "callback_gateway: uri"} {
		if !strings.Contains(all, want) {
			t.Errorf("no error about %s in:\n%s", want, all)
		}
	}
	for _, tc := range []struct {
		cb   QueueCallback
		want string
	}{
		{QueueCallback{MaxAttempts: 11}, "max_attempts"},
		{QueueCallback{RetryAfter: time.Millisecond}, "retry_after"},
		{QueueCallback{GiveUpAfter: 6 * time.Hour}, "give_up_after"},
		{QueueCallback{RingTimeout: time.Second}, "ring_timeout"},
		{QueueCallback{OfferAfter: -time.Second}, "offer_after"},
	} {
		if err := tc.cb.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %s", tc.cb, err, tc.want)
		}
	}
	for _, tc := range []struct {
		g    CallbackGateway
		want string
	}{
		{CallbackGateway{URI: "sip:{number}@gw:99999", FromNumber: "95598"}, "bad port"},
		{CallbackGateway{URI: "sip:{number}@gw", Transport: "tls", FromNumber: "95598"}, "transport"},
		{CallbackGateway{URI: "sip:{number}@gw", FromNumber: ""}, "from_number"},
		{CallbackGateway{URI: "sip:{number}@gw", FromNumber: "95598", MaxConcurrent: 5000}, "max_concurrent"},
	} {
		if err := tc.g.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %s", tc.g, err, tc.want)
		}
	}
	if err := (CallbackGateway{URI: "sip:{number}@127.0.0.1:5070;transport=udp", FromNumber: "95598"}).Check(); err != nil {
		t.Errorf("good gateway refused: %v", err)
	}
	c.CallbackGateway = nil
	q.Callback = &QueueCallback{Enabled: true}
	q.ExitDigit = "1"
	c.Queues["general"] = q
	all = joinErrs(c.validateCallback())
	for _, want := range []string{"callback_gateway is not configured", `callback.digit "1" is also the queue's exit_digit`} {
		if !strings.Contains(all, want) {
			t.Errorf("no error about %s in:\n%s", want, all)
		}
	}
}

func joinErrs(errs []error) string {
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return strings.Join(msgs, "\n")
}
