package sip

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestAgentCallRedirectedBeforeAuthentication: the hook's redirect is
// answered 302 with the other server as Contact, before any digest
// challenge; a call the hook keeps here is challenged as ever.
func TestAgentCallRedirectedBeforeAuthentication(t *testing.T) {
	g := startGuarded(t, func(c *Config) {
		c.IsInternal = func(n string) bool { return n == "*21" || n == "1002" }
		c.RedirectInternal = func(from, number string) (netip.AddrPort, bool) {
			return netip.MustParseAddrPort("10.0.0.2:5070"), from == "1001" && number == "1002"
		}
	})
	p := newRawPhone(t, g.Addr())
	asAgent := func(msg string) string {
		return strings.Replace(msg, "From: <sip:13800000001@", "From: <sip:1001@", 1)
	}
	res := p.send(asAgent(p.request("INVITE", "sip:1002@127.0.0.1", "")), time.Second)
	if statusLine(res) != "SIP/2.0 302 Moved Temporarily" || header(res, "Contact") != "<sip:1002@10.0.0.2:5070>" {
		t.Fatalf("consult call of an agent served elsewhere: %q, Contact %q", statusLine(res), header(res, "Contact"))
	}
	for what, msg := range map[string]string{
		"a feature code":      asAgent(p.request("INVITE", "sip:*21@127.0.0.1", "")),
		"another user's call": p.request("INVITE", "sip:1002@127.0.0.1", ""),
	} {
		if res := p.send(msg, time.Second); !strings.HasPrefix(statusLine(res), "SIP/2.0 401") {
			t.Errorf("%s: %q, want the digest challenge", what, statusLine(res))
		}
	}
}
