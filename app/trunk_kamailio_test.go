package app

import (
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
)

// Addresses on the loopback network, so that the carrier's SBC, the
// provider and a stranger are told apart by their source address (Linux
// routes all of 127.0.0.0/8 to lo).
const (
	sbcIP      = "127.0.0.2"
	strangerIP = "127.0.0.3"
	providerIP = "127.0.0.4"
	deadIP     = "127.0.0.5"
)

// carrierTrunk makes the SBC the only trusted source: loopback is no
// longer a trusted network, and numbers arrive in E.164.
func carrierTrunk(sbc string) func(*config.Config) {
	return func(cfg *config.Config) {
		cfg.SIP.Security.TrustedNetworks = []string{"::1/128"}
		cfg.Numbers["2155500000"] = cfg.Numbers["95598"] // a regional number
		cfg.Trunks = []config.Trunk{{
			Name: "carrier", Addresses: []string{sbc}, Trusted: true,
			InboundCalled:  config.NumberRule{Strip: "+86"},
			InboundCalling: config.NumberRule{Strip: "+86"},
		}}
	}
}

// TestKamailioSBCAssertedIdentityAndForwarding: SIPp, as the carrier's
// network, calls through Kamailio as the carrier's SBC (a trusted trunk).
// The server takes the caller from P-Asserted-Identity (not From, which
// is anonymous), rewrites E.164 to the national numbers of numbers:, and
// routes by the regional number the call was forwarded from (Diversion).
func TestKamailioSBCAssertedIdentityAndForwarding(t *testing.T) {
	needSIPp(t)
	srv := freeUDPOn(t, "127.0.0.1")
	sbc := startKamailio(t, "sbc.cfg", sbcIP, `HOTLINE="sip:`+srv.String()+`"`)
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		carrierTrunk(sbc.addr.String())(cfg)
		cfg.SIP.Listen = srv.String()
	})
	run := runSIPpFrom(t, strangerIP, sbc.addr, "trunk_caller.xml", "+8695598")
	run.requireSuccess(t)
	arrived := h.events.waitAnyCall(t, "call through the SBC", func(e call.Event) bool { return e.Kind == call.CallArrived })
	if arrived.Caller != "13800000009" {
		t.Fatalf("caller %q, want the asserted 13800000009 without +86", arrived.Caller)
	}
	if arrived.Number != "2155500000" {
		t.Fatalf("number %q, want the regional number the call was forwarded from", arrived.Number)
	}
	h.events.waitEnd(t, arrived.CallID)
	if n := sbc.count("sbc: INVITE"); n != 1 {
		t.Fatalf("the SBC relayed %d INVITEs, want 1", n)
	}
}

// TestForgedAssertedIdentityFromStrangerIgnored: the same call sent
// straight to the server from an address that is neither a trunk nor a
// trusted network: its P-Asserted-Identity, Remote-Party-ID and Diversion
// are forgeries. The caller is From as sent (a claim, never dialled back)
// and the call runs the flow of the number it dialled.
func TestForgedAssertedIdentityFromStrangerIgnored(t *testing.T) {
	needSIPp(t)
	sbc := freeUDPOn(t, sbcIP) // a trunk that sends nothing here
	h := start(t, acdTestConfig, carrierTrunk(sbc.String()))
	run := runSIPpFrom(t, strangerIP, h.srv.SIPAddr(), "trunk_caller.xml", "95598")
	run.requireSuccess(t)
	arrived := h.events.waitAnyCall(t, "call from a stranger", func(e call.Event) bool { return e.Kind == call.CallArrived })
	if arrived.Caller != "anonymous" {
		t.Fatalf("caller %q: a forged P-Asserted-Identity was believed", arrived.Caller)
	}
	if arrived.Number != "95598" {
		t.Fatalf("number %q: a stranger's Diversion chose the flow", arrived.Number)
	}
	h.events.waitEnd(t, arrived.CallID)
}
