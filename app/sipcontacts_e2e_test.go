package app

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
)

// TestSixthPhoneOfAnAgentReplacesTheOldest: sip.max_contacts caps an
// agent's registered phones, and each replacement is counted.
func TestSixthPhoneOfAnAgentReplacesTheOldest(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	if n := h.metric("hotline_sip_contacts_replaced_total"); n != 0 {
		t.Fatalf("replaced before any REGISTER: %v", n)
	}
	for i := 1; i <= 6; i++ {
		p, err := testphone.New(testphone.Config{Server: h.srv.SIPAddr().String(), User: "1001", Password: "pw1001"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		if err := p.Register(ctxT(t, 5*time.Second), "pw1001", time.Hour); err != nil {
			t.Fatalf("phone %d: %v", i, err)
		}
	}
	if n := len(h.srv.sip.Bindings("1001")); n != 5 {
		t.Errorf("%d contacts registered, want the cap of 5", n)
	}
	if n := h.metric("hotline_sip_contacts_replaced_total"); n != 1 {
		t.Errorf("hotline_sip_contacts_replaced_total = %v, want 1", n)
	}
}
