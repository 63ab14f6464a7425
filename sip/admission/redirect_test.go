package admission

import (
	"net/netip"
	"testing"
)

func TestRedirectContactNamesTheServerAndTransport(t *testing.T) {
	for _, tc := range []struct {
		to        string
		transport string
		want      string
	}{
		{"127.0.0.11:5060", "udp", "<sip:1002@127.0.0.11:5060>"},
		{"10.0.0.2:5070", "tcp", "<sip:1002@10.0.0.2:5070;transport=tcp>"},
		{"[2001:db8::2]:5060", "udp", "<sip:1002@[2001:db8::2]:5060>"},
	} {
		c := redirectContact("1002", netip.MustParseAddrPort(tc.to), tc.transport)
		if got := c.Value(); got != tc.want {
			t.Errorf("to %s over %s: Contact %s, want %s", tc.to, tc.transport, got, tc.want)
		}
	}
}
