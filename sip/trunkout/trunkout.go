package trunkout

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
)

// Client is what the requests go out with: the endpoint's sipgo client,
// the host and port of our Contact, and the methods we allow.
type Client struct {
	Client *sipgo.Client
	Host   netip.Addr
	Port   uint16
	Allow  string
}

// Ping sends OPTIONS to dest (RFC 3261 §11) and returns the answer's
// status. Any answer, even 4xx or 5xx, shows the far end is there; an
// error means no answer came before ctx ended.
func Ping(ctx context.Context, c Client, dest netip.AddrPort, transport string) (int, error) {
	req := sipmsg.NewRequest(sipmsg.OPTIONS, sipmsg.Uri{Host: dest.Addr().String(), Port: int(dest.Port())})
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{User: "ping", Host: c.Host.String()}, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{Host: dest.Addr().String()}})
	req.AppendHeader(sipmsg.NewHeader("Allow", c.Allow))
	req.SetDestination(dest.String())
	req.SetTransport(strings.ToUpper(transport))
	res, err := c.Client.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("options %s: %w", dest, err)
	}
	return res.StatusCode, nil
}

// Registration is one REGISTER to a provider (RFC 3261 §10).
type Registration struct {
	Dest      netip.AddrPort
	Transport string
	AOR       string // sip:user@domain
	Username  string
	Password  string
	Expires   time.Duration // asked for; 0 unregisters
	// CallID and CSeq: one Call-ID for all the registrations of a boot
	// cycle and a CSeq that grows (RFC 3261 §10.2); empty CallID: a new one.
	CallID string
	CSeq   uint32
}

// Register registers our contact with the provider, answering a 401
// or 407 challenge with the digest credentials. It returns the time the
// registrar granted and the final status; a final answer other than 2xx
// is an error that carries the status.
func Register(ctx context.Context, c Client, r Registration) (time.Duration, int, error) {
	var parsed sipmsg.Uri
	if err := sipmsg.ParseUri(r.AOR, &parsed); err != nil || parsed.User == "" || parsed.Host == "" {
		return 0, 0, fmt.Errorf("register: aor %q: want sip:user@domain", r.AOR)
	}
	req := sipmsg.NewRequest(sipmsg.REGISTER, sipmsg.Uri{Scheme: "sip", Host: parsed.Host, Port: parsed.Port})
	aor := sipmsg.Uri{Scheme: "sip", User: parsed.User, Host: parsed.Host, Port: parsed.Port}
	from := &sipmsg.FromHeader{Address: aor, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: aor})
	contact := sipmsg.Uri{User: parsed.User, Host: c.Host.String(), Port: int(c.Port)}
	if tp := strings.ToLower(r.Transport); tp != "" && tp != "udp" {
		contact.UriParams = sipmsg.HeaderParams{{K: "transport", V: tp}}
	}
	req.AppendHeader(&sipmsg.ContactHeader{Address: contact})
	req.AppendHeader(sipmsg.NewHeader("Expires", strconv.Itoa(int(r.Expires/time.Second))))
	if r.CallID != "" {
		callID := sipmsg.CallIDHeader(r.CallID)
		req.AppendHeader(&callID)
		req.AppendHeader(&sipmsg.CSeqHeader{SeqNo: r.CSeq, MethodName: sipmsg.REGISTER})
	}
	req.SetDestination(r.Dest.String())
	req.SetTransport(strings.ToUpper(r.Transport))
	res, err := c.Client.Do(ctx, req)
	if err == nil && (res.StatusCode == sipmsg.StatusUnauthorized || res.StatusCode == sipmsg.StatusProxyAuthRequired) && r.Username != "" {
		res, err = c.Client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: r.Username, Password: r.Password})
	}
	if err != nil {
		return 0, 0, fmt.Errorf("register %s: %w", r.Dest, err)
	}
	if !res.IsSuccess() {
		return 0, res.StatusCode, fmt.Errorf("register %s: %d %s", r.Dest, res.StatusCode, res.Reason)
	}
	return grantedExpiry(res, r.Expires), res.StatusCode, nil
}

// grantedExpiry reads the registration time a 200 grants: the expires
// parameter of our Contact, else the Expires header, else what we asked.
func grantedExpiry(res *sipmsg.Response, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sipmsg.ContactHeader); ok {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}
