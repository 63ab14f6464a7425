package testphone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// ErrNoCall means a transfer named no call to replace.
var ErrNoCall = errors.New("testphone: no call given")

// referState is what the server's NOTIFYs said about our latest REFER.
type referState struct {
	status  string        // latest sipfrag status line, "" before any
	changed chan struct{} // closed and replaced on every NOTIFY
}

// Refer asks the server to transfer the call to target, a number or agent
// name (blind transfer, RFC 3515): REFER with Refer-To <sip:target@server>.
// It returns the REFER's final status code, 202 when the server accepted;
// an error means no final response came.
func (c *Call) Refer(ctx context.Context, target string) (int, error) {
	return c.sendRefer(ctx, "<"+c.phone.referURI(target)+">")
}

// ReferReplaces asks the server to connect the other side of c with the
// other side of other, replacing other (attended transfer, RFC 5589): the
// Refer-To carries other's dialog as an escaped Replaces header (RFC 3891),
// whose to-tag is the server's tag in that dialog and from-tag ours.
func (c *Call) ReferReplaces(ctx context.Context, other *Call) (int, error) {
	if other == nil {
		return 0, ErrNoCall
	}
	replaces := other.info.callID + ";to-tag=" + other.info.remoteTag + ";from-tag=" + other.info.localTag
	referTo := "<" + c.phone.referURI(other.info.remoteUser) + "?Replaces=" + escapeHeaderValue(replaces) + ">"
	return c.sendRefer(ctx, referTo)
}

func (c *Call) sendRefer(ctx context.Context, referTo string) (int, error) {
	c.mu.Lock()
	c.refer.status = "" // ReferStatus and WaitReferFinal follow this transfer from now
	c.mu.Unlock()

	req := sip.NewRequest(sip.REFER, c.info.target)
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	referredBy := sip.Uri{Scheme: "sip", User: c.phone.cfg.User, Host: c.phone.serverHost()}
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+referredBy.String()+">"))
	c.phone.pin(req)
	res, err := finalOf(c.leg.Do(ctx, req))
	if err != nil {
		return 0, fmt.Errorf("testphone: refer: %w", err)
	}
	return res.StatusCode, nil
}

// referURI is sip:user@server, without transport parameters: Refer-To
// names a party, not a route.
func (p *Phone) referURI(user string) string {
	uri := p.serverURI(user)
	uri.UriParams = nil
	return uri.String()
}

func (p *Phone) serverHost() string {
	host, _, _ := net.SplitHostPort(p.cfg.Server)
	return host
}

// escapeHeaderValue %-escapes everything but letters, digits and "-_.~",
// so that ';', '=' and '@' of a Replaces value stay inside the URI header.
func escapeHeaderValue(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9',
			ch == '-', ch == '_', ch == '.', ch == '~':
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&0x0F])
		}
	}
	return b.String()
}

// ReferStatus is the status line of the latest message/sipfrag NOTIFY the
// server sent about our latest REFER, e.g. "SIP/2.0 200 OK"; "" before any.
func (c *Call) ReferStatus() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refer.status
}

// WaitReferFinal waits until a NOTIFY reports a final status (>= 200) for
// our latest REFER and returns its code.
func (c *Call) WaitReferFinal(ctx context.Context) (int, error) {
	for {
		c.mu.Lock()
		code, changed := sipfragCode(c.refer.status), c.refer.changed
		c.mu.Unlock()
		if code >= 200 {
			return code, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, fmt.Errorf("testphone: waiting for transfer outcome: %w", ctx.Err())
		}
	}
}

// sipfragCode reads the code from "SIP/2.0 200 OK"; 0 when there is none.
func sipfragCode(statusLine string) int {
	fields := strings.Fields(statusLine)
	if len(fields) < 2 {
		return 0
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0
	}
	return code
}

// noteReferNotify records the sipfrag of a NOTIFY for Event: refer.
func (c *Call) noteReferNotify(body []byte) {
	line, _, _ := strings.Cut(string(body), "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refer.status = strings.TrimSpace(line)
	close(c.refer.changed)
	c.refer.changed = make(chan struct{})
}

// handleNotify accepts every NOTIFY (as the phone always did) and records
// transfer progress reported on our calls.
func (p *Phone) handleNotify(req *sip.Request, tx sip.ServerTransaction) {
	if isReferEvent(req) {
		if c := p.callFor(req); c != nil {
			c.noteReferNotify(req.Body())
		}
	}
	p.respondOK(req, tx)
}

func isReferEvent(req *sip.Request) bool {
	h := req.GetHeader("Event")
	if h == nil {
		return false
	}
	event, _, _ := strings.Cut(h.Value(), ";")
	return strings.EqualFold(strings.TrimSpace(event), "refer")
}
