package admission

import (
	"net/netip"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// In a cluster an agent's consult call belongs on the server that holds
// the caller the agent serves: only there can the attended transfer that
// may follow bridge the caller with the colleague, since servers do not
// relay media to each other. A server the consult call reaches elsewhere
// answers 302 Moved Temporarily with that server's address as Contact;
// the phone (or the proxy in front of the servers) sends the INVITE
// there.
//
// The redirect comes before digest authentication, from the From user
// alone: the phone authenticates with the server that keeps the call,
// which issued its nonce. A stranger claiming an agent's name learns
// only the address of another server of the same hotline, which takes
// the call only from the authenticated agent.

// redirect answers 302 when the RedirectInternal hook sends an agent's
// call to number elsewhere; false when the call stays here. Only UDP and
// TCP are redirected: a server's TLS listener is elsewhere and a phone on
// TLS keeps its consult here.
func (g Gate) redirect(req *sipmsg.Request, tx sipmsg.ServerTransaction, number string) bool {
	if g.RedirectInternal == nil {
		return false
	}
	transport := strings.ToLower(req.Transport())
	if transport != "udp" && transport != "tcp" {
		return false
	}
	from := req.From()
	if from == nil || from.Address.User == "" {
		return false
	}
	to, ok := g.RedirectInternal(from.Address.User, number)
	if !ok || !to.IsValid() {
		return false
	}
	contact := redirectContact(number, to, transport)
	g.Log.Info("consult call redirected to the caller's server", "call", CallID(req), "agent", from.Address.User,
		"number", number, "to", to.String())
	g.Host.Reply(req, tx, sipmsg.StatusMovedTemporarily, "Moved Temporarily", &contact)
	return true
}

// redirectContact is the Contact of a 302 that sends a call to number to
// the server at to.
func redirectContact(number string, to netip.AddrPort, transport string) sipmsg.ContactHeader {
	host := to.Addr().String()
	if to.Addr().Is6() {
		host = "[" + host + "]"
	}
	uri := sipmsg.Uri{Scheme: "sip", User: number, Host: host, Port: int(to.Port())}
	if transport != "udp" {
		uri.UriParams = sipmsg.NewParams()
		uri.UriParams.Add("transport", transport)
	}
	return sipmsg.ContactHeader{Address: uri}
}
