package callout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/sip"
)

func TestCallbackRegistryOnlyCallsNumbersThatCalledIn(t *testing.T) {
	known := map[string]bool{"13900000002": true}
	cb, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: "sip:{number}@127.0.0.1:5070", FromNumber: "95598"},
		func(n string) bool { return known[n] })
	if err != nil {
		t.Fatal(err)
	}
	in := &sip.Call{ID: "c1", Caller: "13800000001", CallerTrusted: true}
	cases := []struct {
		number, want string
		err          error
	}{
		{"", "13800000001", nil},            // the caller's own number
		{"13800000001", "13800000001", nil}, // the same, entered
		{"13900000002", "13900000002", nil}, // called before
		{"13912345678", "", ErrCallbackNumber},
		{"12", "", ErrCallbackNumber},
		{"1380000000a", "", ErrCallbackNumber},
		{"+8613800000001x", "", ErrCallbackNumber},
	}
	for _, c := range cases {
		tk, err := cb.Register(in, c.number)
		if !errors.Is(err, c.err) {
			t.Errorf("Register(%q): err %v, want %v", c.number, err, c.err)
			continue
		}
		if err == nil && tk.Number() != c.want {
			t.Errorf("Register(%q) number %q, want %q", c.number, tk.Number(), c.want)
		}
	}
	if _, err := cb.Register(nil, "13800000001"); !errors.Is(err, ErrCallbackNumber) {
		t.Errorf("no inbound call: %v", err)
	}
	anonymous := &sip.Call{ID: "c2", Caller: "anonymous", CallerTrusted: true}
	if _, err := cb.Register(anonymous, ""); !errors.Is(err, ErrCallbackNumber) {
		t.Errorf("anonymous caller: %v", err)
	}
	if cb.Pending() != 1 {
		t.Errorf("pending %d: one ticket per inbound call", cb.Pending())
	}

	ctx := context.Background()
	forged := &CallbackTicket{id: "c1", number: "13912345678"}
	if _, err := cb.DialCallback(ctx, forged, time.Second); !errors.Is(err, ErrUnknownCallback) {
		t.Errorf("forged ticket: %v", err)
	}
	if _, err := cb.DialCallback(ctx, nil, time.Second); !errors.Is(err, ErrCallbackNoTicket) {
		t.Errorf("nil ticket: %v", err)
	}
	if _, err := cb.Restore("c9", "13912345678"); !errors.Is(err, ErrCallbackNumber) {
		t.Errorf("restored unknown number: %v", err)
	}
	if rt, err := cb.Restore("c9", "13900000002"); err != nil || rt.Number() != "13900000002" {
		t.Errorf("restore known number: %v", err)
	}
	tk, _ := cb.Register(in, "")
	cb.Forget(tk)
	if _, err := cb.DialCallback(ctx, tk, time.Second); !errors.Is(err, ErrUnknownCallback) {
		t.Errorf("forgotten ticket: %v", err)
	}
}

func TestNewCallbacksRejectsBadGateway(t *testing.T) {
	ok := func(string) bool { return true }
	for _, uri := range []string{"", "http://x/{number}", "sip:gw.example.com", "sip:95598@gw.example.com"} {
		if _, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: uri}, ok); err == nil {
			t.Errorf("uri %q accepted", uri)
		}
	}
	if _, err := NewCallbacks(nil, GatewayConfig{URI: "sip:{number}@gw"}, ok); err == nil {
		t.Error("nil endpoint accepted")
	}
	cb, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: "sip:{number}@gw.example.com;transport=udp"}, ok)
	if err != nil || cb.host != "gw.example.com:5060" {
		t.Errorf("default port: host %q, err %v", cb.host, err)
	}
}
