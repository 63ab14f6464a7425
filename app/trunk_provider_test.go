package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
)

const trunkPasswordEnv = "HOTLINE_TEST_TRUNK_PASSWORD"

// startProvider runs Kamailio as a SIP trunk provider that relays
// authenticated calls to the customer's phone at customer (host:port).
func startProvider(t *testing.T, customer string) *kamailioProc {
	t.Helper()
	return startKamailio(t, "provider.cfg", providerIP,
		`CUSTOMER="sip:`+customer+`"`, `USERNAME="hotline"`, `PASSWORD="trunk-secret"`)
}

// providerTrunk is the provider as a trunk: registration, digest
// credentials from the environment, numbers dialled in E.164.
func providerTrunk(addr string) config.Trunk {
	return config.Trunk{
		Name: "provider", Addresses: []string{addr},
		CountryCode: "86", Outbound: config.NumberRule{Format: "e164"},
		Auth:            &config.TrunkAuth{Username: "hotline", PasswordEnv: trunkPasswordEnv},
		Register:        &config.TrunkRegister{AOR: "sip:hotline@provider.test", Expires: 2 * time.Minute},
		OptionsInterval: time.Second, DownAfter: 2,
	}
}

// viaTrunks makes callbacks dial through the named trunks.
func viaTrunks(attempts int, trunks []config.Trunk, names ...string) func(*config.Config) {
	return func(cfg *config.Config) {
		callbackSetup("sip:{number}@127.0.0.1:9", attempts)(cfg)
		cfg.CallbackGateway.URI = ""
		cfg.CallbackGateway.Trunks = names
		cfg.Trunks = trunks
	}
}

// gatewayHostPort is where a SIPp gateway listens.
func gatewayHostPort(gw *sippGateway) string {
	return strings.TrimPrefix(gw.uri, "sip:{number}@")
}

// TestKamailioProviderRegistersAndDialsWithDigest: the server registers
// with Kamailio as the provider (401 challenge answered), then a callback
// goes out through it: Kamailio challenges the INVITE with 407, the
// server answers with the credentials from the environment, and Kamailio
// relays the call to SIPp as the customer, who hears the agent (echo).
func TestKamailioProviderRegistersAndDialsWithDigest(t *testing.T) {
	t.Setenv(trunkPasswordEnv, "trunk-secret")
	gw := startSIPpGateway(t, "callback_gateway.xml", 1, "-rtp_echo")
	prov := startProvider(t, gatewayHostPort(gw))
	h := start(t, acdTestConfig, viaTrunks(3, []config.Trunk{providerTrunk(prov.addr.String())}, "provider"))

	waitFor(t, "registration with the provider", 10*time.Second, func() bool {
		return prov.count("provider: registered hotline") >= 1
	})
	if v := h.metric("hotline_trunk_registered", "trunk", "provider"); v != 1 {
		t.Fatalf("hotline_trunk_registered %v, want 1", v)
	}
	if v := h.metric("hotline_trunk_up", "trunk", "provider"); v != 1 {
		t.Fatalf("hotline_trunk_up %v, want 1", v)
	}

	cbID, leg := h.customerAnswersCallback(t)
	leg.SendTone(1300)
	heard(t, leg, 50, "agent hears their tone echoed by the customer")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if end := h.events.waitEnd(t, cbID); end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("callback ended %s/%s", end.Result, end.Reason)
	}
	gw.wait(t).requireSuccess(t)
	if prov.count("provider: authenticated INVITE sip:+8613800000001@") != 1 {
		t.Fatalf("the provider did not get one authenticated INVITE for +8613800000001")
	}
	if strings.Contains(prov.out.String(), "trunk-secret") {
		t.Fatal("the password crossed the wire in clear")
	}
}

// TestKamailioProviderRefusesRegistration: with a wrong password the
// provider refuses every REGISTER; the server reports it unregistered and
// waits before trying again (backoff), instead of retrying in a loop.
func TestKamailioProviderRefusesRegistration(t *testing.T) {
	t.Setenv(trunkPasswordEnv, "wrong")
	prov := startProvider(t, "127.0.0.1:9")
	tr := providerTrunk(prov.addr.String())
	h := start(t, acdTestConfig, func(cfg *config.Config) { cfg.Trunks = []config.Trunk{tr} })
	waitFor(t, "a REGISTER with credentials", 10*time.Second, func() bool {
		return prov.count("auth=hotline") >= 1
	})
	time.Sleep(3 * time.Second)
	// One REGISTER without credentials, one with the wrong ones, then the
	// 30 s backoff: nothing more within these seconds.
	if n := prov.count("provider: REGISTER"); n != 2 {
		t.Fatalf("%d REGISTERs in the first seconds, want 2 (then backoff)", n)
	}
	if v := h.metric("hotline_trunk_registered", "trunk", "provider"); v != 0 {
		t.Fatalf("hotline_trunk_registered %v, want 0", v)
	}
}

// failoverTrunks starts what the failover tests need: a silent address
// for the first trunk, and the provider with a SIPp gateway behind it that
// answers one callback; it returns them with the provider's trunk, which
// does not register.
func failoverTrunks(t *testing.T) (gw *sippGateway, prov *kamailioProc, dead *silentUDP, second config.Trunk) {
	t.Helper()
	t.Setenv(trunkPasswordEnv, "trunk-secret")
	gw = startSIPpGateway(t, "callback_gateway.xml", 1, "-rtp_echo")
	prov = startProvider(t, gatewayHostPort(gw))
	dead = startSilentUDP(t, deadIP)
	second = providerTrunk(prov.addr.String())
	second.Register = nil
	return gw, prov, dead, second
}

// TestTrunkFailoverToSecondTrunk: the first trunk has stopped answering
// (OPTIONS go unanswered), so after down_after pings it is marked down and
// the callback goes out through the second trunk, the provider.
func TestTrunkFailoverToSecondTrunk(t *testing.T) {
	gw, prov, dead, second := failoverTrunks(t)
	first := config.Trunk{Name: "first", Addresses: []string{dead.addr.String()}, OptionsInterval: time.Second, DownAfter: 2}
	h := start(t, acdTestConfig, viaTrunks(3, []config.Trunk{first, second}, "first", "provider"))

	waitFor(t, "the first trunk marked down", 10*time.Second, func() bool {
		return h.metric("hotline_trunk_up", "trunk", "first") == 0
	})
	if v := h.metric("hotline_trunk_up", "trunk", "provider"); v != 1 {
		t.Fatalf("hotline_trunk_up{provider} %v, want 1", v)
	}
	cbID, leg := h.customerAnswersCallback(t)
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, cbID)
	gw.wait(t).requireSuccess(t)
	for _, m := range dead.methods() {
		if m != "OPTIONS" {
			t.Fatalf("the trunk that is down got %s", m)
		}
	}
	if prov.count("provider: authenticated INVITE") != 1 {
		t.Fatal("the callback did not go out through the second trunk")
	}
}

// TestSIPpGatewayChallengesWith401: behind the provider's proxy
// (Kamailio, which answers the pings and relays calls unchallenged), SIPp
// as the provider's gateway answers the first INVITE with 401; the server
// answers the challenge with the trunk's credentials (SIPp checks them with
// verifyauth) and the call goes through, asserting the hotline's number to
// the trusted trunk.
func TestSIPpGatewayChallengesWith401(t *testing.T) {
	t.Setenv(trunkPasswordEnv, "gw-secret")
	gw := startSIPpGateway(t, "trunk_gateway_401.xml", 1, "-rtp_echo")
	prov := startKamailio(t, "provider.cfg", providerIP, `CUSTOMER="sip:`+gatewayHostPort(gw)+`"`,
		`USERNAME="hotline"`, `PASSWORD="unused"`, "GATEWAY_AUTH")
	tr := config.Trunk{Name: "provider", Addresses: []string{prov.addr.String()}, Trusted: true,
		Auth: &config.TrunkAuth{Username: "hotline", PasswordEnv: trunkPasswordEnv}}
	h := start(t, acdTestConfig, viaTrunks(1, []config.Trunk{tr}, "provider"))
	cbID, leg := h.customerAnswersCallback(t)
	leg.SendTone(1300)
	heard(t, leg, 50, "agent hears their tone echoed by the customer")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, cbID)
	run := gw.wait(t)
	run.requireSuccess(t)
	msgs := run.log("messages.log")
	if !strings.Contains(msgs, `Authorization: Digest username="hotline"`) {
		t.Fatalf("no digest answer in what the gateway got:\n%s", tail(msgs, 3000))
	}
	if !strings.Contains(msgs, "P-Asserted-Identity: <sip:95598@") {
		t.Fatalf("a trusted trunk got no P-Asserted-Identity with the hotline's number:\n%s", tail(msgs, 3000))
	}
}

// TestTrunkSilentToInviteFailsOver: the first trunk is still marked up
// (its pings have not yet missed down_after times) but sends nothing back
// to the callback's INVITE; after a few seconds of silence the same
// attempt goes out through the second trunk.
func TestTrunkSilentToInviteFailsOver(t *testing.T) {
	gw, prov, dead, second := failoverTrunks(t)
	first := config.Trunk{Name: "first", Addresses: []string{dead.addr.String()}, OptionsInterval: time.Hour, DownAfter: 3}
	h := start(t, acdTestConfig, viaTrunks(1, []config.Trunk{first, second}, "first", "provider"))

	cbID, leg := h.customerAnswersCallback(t)
	if v := h.metric("hotline_trunk_up", "trunk", "first"); v != 1 {
		t.Fatalf("hotline_trunk_up{first} %v: the pings alone must not have marked it down yet", v)
	}
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, cbID)
	gw.wait(t).requireSuccess(t)
	if !slices.Contains(dead.methods(), "INVITE") {
		t.Fatalf("the silent trunk got %v, want the INVITE tried first", dead.methods())
	}
	if v := h.metric("hotline_trunk_call_failures_total", "trunk", "first"); v != 1 {
		t.Fatalf("hotline_trunk_call_failures_total{first} %v, want 1", v)
	}
	if v := h.metric("hotline_trunk_call_failures_total", "trunk", "provider"); v != 0 {
		t.Fatalf("hotline_trunk_call_failures_total{provider} %v, want 0", v)
	}
	if prov.count("provider: authenticated INVITE") != 1 {
		t.Fatal("the callback did not go out through the second trunk")
	}
}

// TestKamailioProviderRegistrationRefreshed: the provider grants 10 s
// whatever is asked; the server reads the granted time from the 200 and
// registers again before it runs out, and not in a loop.
func TestKamailioProviderRegistrationRefreshed(t *testing.T) {
	t.Setenv(trunkPasswordEnv, "trunk-secret")
	prov := startKamailio(t, "provider.cfg", providerIP, `CUSTOMER="sip:127.0.0.1:9"`,
		`USERNAME="hotline"`, `PASSWORD="trunk-secret"`, "SHORT_EXPIRES")
	tr := providerTrunk(prov.addr.String())
	start(t, acdTestConfig, func(cfg *config.Config) { cfg.Trunks = []config.Trunk{tr} })
	registered := func() int { return prov.count("provider: registered hotline") }
	waitFor(t, "the first registration", 10*time.Second, func() bool { return registered() >= 1 })
	first := time.Now()
	waitFor(t, "the refresh", 15*time.Second, func() bool { return registered() >= 2 })
	if gap := time.Since(first); gap > 10*time.Second || gap < 2*time.Second {
		t.Fatalf("refreshed %v after a 10 s grant, want before it runs out and not at once", gap)
	}
}

// TestKamailioProviderSendsCallsToRegisteredContact: once registered, a
// call from the provider's network to the hotline's number reaches the
// server at its registered contact, whose user is the account: the server
// routes it by To (E.164, rewritten by the trunk) and believes the
// provider's P-Asserted-Identity because the trunk is trusted.
func TestKamailioProviderSendsCallsToRegisteredContact(t *testing.T) {
	needSIPp(t)
	t.Setenv(trunkPasswordEnv, "trunk-secret")
	prov := startProvider(t, "127.0.0.1:9")
	tr := providerTrunk(prov.addr.String())
	tr.Trusted = true
	tr.InboundCalled, tr.InboundCalling = config.NumberRule{Strip: "+86"}, config.NumberRule{Strip: "+86"}
	h := start(t, acdTestConfig, func(cfg *config.Config) {
		cfg.SIP.Security.TrustedNetworks = []string{"::1/128"}
		cfg.Trunks = []config.Trunk{tr}
	})
	waitFor(t, "registration with the provider", 10*time.Second, func() bool {
		return prov.count("provider: registered hotline") >= 1
	})
	run := runSIPpFrom(t, strangerIP, prov.addr, "provider_caller.xml", "hotline", "-key", "did", "+8695598")
	run.requireSuccess(t)
	arrived := h.events.waitAnyCall(t, "call from the provider", func(e call.Event) bool { return e.Kind == call.CallArrived })
	if arrived.Number != "95598" || arrived.Caller != "13800000009" {
		t.Fatalf("call to %q from %q, want 95598 from the asserted 13800000009", arrived.Number, arrived.Caller)
	}
	h.events.waitEnd(t, arrived.CallID)
	if prov.count("provider: inbound call for +8695598") != 1 {
		t.Fatal("the provider did not send the call to the registered contact")
	}
}

// TestKamailioProviderOverTCP: the same provider reached over TCP: the
// registration (Contact with transport=tcp), the pings and the callback's
// INVITE with its 407 all go over one TCP connection the server opens.
func TestKamailioProviderOverTCP(t *testing.T) {
	t.Setenv(trunkPasswordEnv, "trunk-secret")
	gw := startSIPpGateway(t, "callback_gateway.xml", 1, "-rtp_echo")
	prov := startProvider(t, gatewayHostPort(gw))
	tr := providerTrunk(prov.addr.String())
	tr.Transport = "tcp"
	h := start(t, acdTestConfig, viaTrunks(1, []config.Trunk{tr}, "provider"))
	waitFor(t, "registration over TCP", 10*time.Second, func() bool {
		return prov.count("provider: registered hotline contact <sip:hotline@") >= 1
	})
	if out := prov.out.String(); !strings.Contains(out, "transport=tcp>") || !strings.Contains(out, "auth=hotline proto=tcp") {
		t.Fatalf("the registration did not come over TCP with a TCP contact:\n%s", tail(out, 2000))
	}
	cbID, leg := h.customerAnswersCallback(t)
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, cbID)
	gw.wait(t).requireSuccess(t)
	if v := h.metric("hotline_trunk_up", "trunk", "provider"); v != 1 {
		t.Fatalf("hotline_trunk_up %v over TCP", v)
	}
	if n := prov.count("proto=udp"); n != 0 {
		t.Fatalf("%d requests reached the provider over UDP", n)
	}
}
