package callout

import (
	"errors"
	"testing"

	"github.com/hotline-oss/hotline/sip"
)

func TestCallbackRegistryRefusesUntrustedCallers(t *testing.T) {
	cb, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: "sip:{number}@127.0.0.1:5070", FromNumber: "95598"},
		func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	claim := &sip.Call{ID: "c1", Caller: "13800000001"}
	for _, n := range []string{"", "13800000001", "13900000002"} {
		if _, err := cb.Register(claim, n); !errors.Is(err, ErrUntrustedCaller) {
			t.Errorf("Register(untrusted, %q): err %v, want ErrUntrustedCaller", n, err)
		}
	}
	if cb.Pending() != 0 {
		t.Errorf("an untrusted caller got %d tickets", cb.Pending())
	}
}

func TestDialCheckRefusesBeforeDialling(t *testing.T) {
	refusal := errors.New("number_cap")
	var checked []string
	cb, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: "sip:{number}@127.0.0.1:5070", FromNumber: "95598"},
		func(string) bool { return true }, WithDialCheck(func(id, number string) error {
			checked = append(checked, id+"→"+number)
			return refusal
		}))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := cb.Register(&sip.Call{ID: "c1", Caller: "13800000001", CallerTrusted: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	// The endpoint is empty: a dial that got past the check would fail
	// otherwise; the refusal comes first and wraps the check's error.
	_, err = cb.DialCallback(t.Context(), tk, 0)
	if !errors.Is(err, ErrDialRefused) || !errors.Is(err, refusal) {
		t.Fatalf("dial: %v, want ErrDialRefused wrapping the check's error", err)
	}
	if len(checked) != 1 || checked[0] != "c1→13800000001" {
		t.Fatalf("checked %v", checked)
	}
	if _, err := NewCallbacks(&sip.Endpoint{}, GatewayConfig{URI: "sip:{number}@gw"}, func(string) bool { return true },
		WithDialCheck(nil)); err == nil {
		t.Error("a nil dial check was accepted")
	}
}
