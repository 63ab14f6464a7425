package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
)

// ErrNoTrunk: no trunk is up to carry a call out.
var ErrNoTrunk = errors.New("no trunk is up")

// TrunkRoute is one way out for a call: the trunk, where its INVITE goes,
// the number as that trunk wants it dialled, and the credentials that
// answer its 401 and 407 challenges.
type TrunkRoute struct {
	Trunk      string
	Dest       netip.AddrPort
	Transport  string // udp or tcp
	Number     string // as dialled on this trunk
	FromNumber string // caller ID
	Username   string // digest; empty: challenges are not answered
	Password   string
	// AssertIdentity adds P-Asserted-Identity with FromNumber: the trunk
	// is in our trust domain and may forward it (RFC 3325).
	AssertIdentity bool
	// Failed, when set, is told when the trunk itself failed a call
	// (failOver), for its metric.
	Failed func()
}

// Ping sends OPTIONS to dest (RFC 3261 §11) and returns the answer's
// status. Any answer, even 4xx or 5xx, shows the far end is there; an
// error means no answer came before ctx ended.
func (e *Endpoint) Ping(ctx context.Context, dest netip.AddrPort, transport string) (int, error) {
	req := sipmsg.NewRequest(sipmsg.OPTIONS, sipmsg.Uri{Host: dest.Addr().String(), Port: int(dest.Port())})
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{User: "ping", Host: e.contactHost().String()}, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: sipmsg.Uri{Host: dest.Addr().String()}})
	req.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	req.SetDestination(dest.String())
	req.SetTransport(strings.ToUpper(transport))
	res, err := e.client.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("options %s: %w", dest, err)
	}
	return res.StatusCode, nil
}

// TrunkRegistration is one REGISTER to a provider (RFC 3261 §10).
type TrunkRegistration struct {
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

// RegisterTrunk registers our contact with the provider, answering a 401
// or 407 challenge with the digest credentials. It returns the time the
// registrar granted and the final status; a final answer other than 2xx
// is an error that carries the status.
func (e *Endpoint) RegisterTrunk(ctx context.Context, r TrunkRegistration) (time.Duration, int, error) {
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
	contact := sipmsg.Uri{User: parsed.User, Host: e.contactHost().String(), Port: int(e.cfg.Listen.Port())}
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
	res, err := e.client.Do(ctx, req)
	if err == nil && (res.StatusCode == sipmsg.StatusUnauthorized || res.StatusCode == sipmsg.StatusProxyAuthRequired) && r.Username != "" {
		res, err = e.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: r.Username, Password: r.Password})
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

// failOver reports whether a dial error says the trunk, not the called
// party, failed, so the next trunk may carry the call: no answer at all,
// a server error, or an authentication the trunk refused. Busy, declined,
// not answered and refused numbers are the called party's answer and
// would be the same through any trunk.
func failOver(err error) bool {
	if errors.Is(err, ErrAgentBusy) || errors.Is(err, ErrAgentDeclined) || errors.Is(err, ErrNoAnswer) ||
		errors.Is(err, ErrDialCancelled) {
		return false
	}
	var se *StatusError
	if !errors.As(err, &se) {
		return true // no final answer: transport error, timeout
	}
	return se.Code >= 500 || se.Code == sipmsg.StatusUnauthorized || se.Code == sipmsg.StatusProxyAuthRequired ||
		se.Code == sipmsg.StatusForbidden
}

// StatusError is the final answer that failed a dial; it wraps
// ErrDialFailed.
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("%v: status %d", ErrDialFailed, e.Code) }

// Unwrap makes errors.Is(err, ErrDialFailed) hold.
func (e *StatusError) Unwrap() error { return ErrDialFailed }

// dialTrunks places a callback through the trunks that are up, in order,
// passing to the next one when a trunk fails (failOver).
func (cb *Callbacks) dialTrunks(ctx context.Context, number string, ringTimeout time.Duration) (*AgentLeg, error) {
	routes := cb.routes(number)
	if len(routes) == 0 {
		return nil, fmt.Errorf("%w: %w", ErrDialFailed, ErrNoTrunk)
	}
	var err error
	for _, r := range routes {
		var leg *AgentLeg
		leg, err = cb.dialRoute(ctx, r, ringTimeout)
		if err == nil {
			return leg, nil
		}
		if !failOver(err) || ctx.Err() != nil {
			return nil, err
		}
		if r.Failed != nil {
			r.Failed()
		}
		cb.e.log.Warn("callback: trunk failed the call, trying the next", "trunk", r.Trunk, "err", err)
	}
	return nil, err
}

// trunkSilence is how long a trunk may leave an INVITE without any
// response (not even 100 Trying) before the call goes to the next trunk:
// 8*T1, by when a UDP INVITE has been sent four times. Carriers answer
// 100 Trying at once; silence means the trunk is gone even if its pings
// have not yet marked it down.
const trunkSilence = 4 * time.Second

// errTrunkSilent: the trunk sent nothing back within trunkSilence.
var errTrunkSilent = errors.New("no response from the trunk")

func (cb *Callbacks) dialRoute(ctx context.Context, r TrunkRoute, ringTimeout time.Duration) (*AgentLeg, error) {
	e := cb.e
	target := sipmsg.Uri{Scheme: "sip", User: r.Number, Host: r.Dest.Addr().String(), Port: int(r.Dest.Port())}
	from := r.FromNumber
	if from == "" {
		from = cb.cfg.FromNumber
	}
	var heard atomic.Bool
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	silence := time.AfterFunc(trunkSilence, func() {
		if !heard.Load() {
			cancel(errTrunkSilent)
		}
	})
	defer silence.Stop()
	leg, err := e.dialLeg(rctx, outboundLeg{
		name: "callback", peer: "trunk " + r.Trunk, codecs: e.cfg.Codecs,
		offer: func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
			return sdp.BuildOffer(local, e.cfg.Codecs, 101, sdp.SendRecv, session, 1), srtp.SDESKey{}, nil
		},
		ring: func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error) {
			return e.sendInvite(ctx, outboundInvite{
				target: target, fromUser: from, to: *target.Clone(),
				dest: r.Dest.String(), transport: strings.ToUpper(r.Transport),
				username: r.Username, password: r.Password,
				heard: func() { heard.Store(true) }, assert: r.AssertIdentity,
			}, offer)
		},
	}, ringTimeout)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(rctx), errTrunkSilent) {
		return nil, fmt.Errorf("%w: trunk %s: %w within %v", ErrDialFailed, r.Trunk, errTrunkSilent, trunkSilence)
	}
	return leg, err
}
