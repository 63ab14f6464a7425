package sip

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"
)

func TestBanLogNamesTheIPv6Range(t *testing.T) {
	e := startGuarded(t, func(c *Config) { c.Guard.IPv6PrefixLength = 48 })
	req := registerRequest("1001")
	req.AppendHeader(sipmsg.NewHeader("Authorization", `Digest username="1001", realm="x", nonce="1", uri="sip:a", response="1"`))
	for i := 0; i < 10; i++ {
		e.auth.Check(req, addr(fmt.Sprintf("2001:db8:7:%x::1", i)))
	}
	if got := e.BannedSources(); got != 1 {
		t.Fatalf("banned sources %d, want the one /48", got)
	}
	if want := "range=2001:db8:7::/48"; !strings.Contains(e.logs.String(), want) {
		t.Errorf("ban log lacks %s:\n%s", want, e.logs.String())
	}
}

func registerRequest(user string) *sipmsg.Request {
	req := sipmsg.NewRequest(sipmsg.REGISTER, sipmsg.Uri{Host: "127.0.0.1"})
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{User: user, Host: "127.0.0.1"}})
	return req
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }
