package callout

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip"
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

// failOver reports whether a dial error says the trunk, not the called
// party, failed, so the next trunk may carry the call: no answer at all,
// a server error, or an authentication the trunk refused. Busy, declined,
// not answered and refused numbers are the called party's answer and
// would be the same through any trunk.
func failOver(err error) bool {
	if errors.Is(err, sip.ErrAgentBusy) || errors.Is(err, sip.ErrAgentDeclined) || errors.Is(err, sip.ErrNoAnswer) ||
		errors.Is(err, sip.ErrDialCancelled) {
		return false
	}
	var se *sip.StatusError
	if !errors.As(err, &se) {
		return true // no final answer: transport error, timeout
	}
	return se.Code >= 500 || se.Code == sipmsg.StatusUnauthorized || se.Code == sipmsg.StatusProxyAuthRequired ||
		se.Code == sipmsg.StatusForbidden
}

// dialTrunks places a callback through the trunks that are up, in order,
// passing to the next one when a trunk fails (failOver).
func (cb *Callbacks) dialTrunks(ctx context.Context, number string, ringTimeout time.Duration) (*sip.AgentLeg, error) {
	routes := cb.routes(number)
	if len(routes) == 0 {
		return nil, fmt.Errorf("%w: %w", sip.ErrDialFailed, ErrNoTrunk)
	}
	var err error
	for _, r := range routes {
		var leg *sip.AgentLeg
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
		cb.e.Logger().Warn("callback: trunk failed the call, trying the next", "trunk", r.Trunk, "err", err)
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

func (cb *Callbacks) dialRoute(ctx context.Context, r TrunkRoute, ringTimeout time.Duration) (*sip.AgentLeg, error) {
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
	leg, err := cb.e.DialOut(rctx, sip.OutboundCall{
		Peer: "trunk " + r.Trunk, Target: target, FromUser: from,
		Dest: r.Dest.String(), Transport: strings.ToUpper(r.Transport),
		Username: r.Username, Password: r.Password,
		Heard: func() { heard.Store(true) }, AssertIdentity: r.AssertIdentity,
	}, ringTimeout)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(rctx), errTrunkSilent) {
		return nil, fmt.Errorf("%w: trunk %s: %w within %v", sip.ErrDialFailed, r.Trunk, errTrunkSilent, trunkSilence)
	}
	return leg, err
}
