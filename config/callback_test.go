package config

import (
	"strconv"
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

func TestCallbackGatewayAllowListAndCaps(t *testing.T) {
	c, err := Parse("demo.yaml", Demo())
	if err != nil {
		t.Fatal(err)
	}
	g := c.CallbackGateway
	allow, err := g.AllowList()
	if err != nil {
		t.Fatal(err)
	}
	if !allow.Allowed("13800000001") || allow.Allowed("0013800000001") || allow.Allowed("01016812345") {
		t.Error("demo allow-list: want mobiles in, 00 and premium out")
	}
	if caps := g.Caps(); caps.PerNumber != 3 || caps.PerHour != 60 {
		t.Errorf("demo caps %+v", caps)
	}
	// Left out, the defaults apply; a configured allow-list brings no
	// default deny-list.
	d := CallbackGateway{}.WithDefaults()
	if len(d.AllowedNumbers) != 2 || len(d.DeniedNumbers) != 1 || d.MaxPerNumber != 3 || d.MaxPerHour != 60 {
		t.Errorf("defaults %+v", d)
	}
	if own := (CallbackGateway{AllowedNumbers: []string{`\+44[0-9]{10}`}}).WithDefaults(); own.DeniedNumbers != nil {
		t.Errorf("own allow-list got the default deny-list %q", own.DeniedNumbers)
	}
	for _, tc := range []struct {
		g    CallbackGateway
		want string
	}{
		{CallbackGateway{AllowedNumbers: []string{}}, "allowed_numbers is empty"},
		{CallbackGateway{AllowedNumbers: []string{"1[3-9"}}, "allowed_numbers[0]"},
		{CallbackGateway{DeniedNumbers: []string{"("}}, "denied_numbers[0]"},
		{CallbackGateway{MaxPerNumber: -1}, "max_per_number"},
		{CallbackGateway{MaxPerHour: 100001}, "max_per_hour"},
	} {
		tc.g.URI, tc.g.FromNumber = "sip:{number}@gw", "95598"
		if err := tc.g.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one about %s", tc.g, err, tc.want)
		}
	}
}

func TestCallbackGatewayBadPatternNamesFileAndLine(t *testing.T) {
	yml := strings.Replace(string(Demo()), `allowed_numbers: ['1[3-9][0-9]{9}',`, `allowed_numbers: ['1[3-9',`, 1)
	if yml == string(Demo()) {
		t.Fatal("demo allowed_numbers not found")
	}
	_, err := Parse("hotline.yaml", []byte(yml))
	if err == nil {
		t.Fatal("a bad pattern was accepted")
	}
	// Positions are those of the top-level key's value: the section's
	// first line.
	line := 1 + strings.Count(yml[:strings.Index(yml, "\ncallback_gateway:\n")+1], "\n") + 1
	want := "hotline.yaml:" + strconv.Itoa(line) + ":"
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "allowed_numbers[0]") {
		t.Fatalf("error %q, want it at %s naming allowed_numbers[0]", err, want)
	}
}
