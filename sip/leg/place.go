package leg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/emiago/sipgo"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/sipsrtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Dialer is what the endpoint places its legs with.
type Dialer struct {
	Host       Host
	Log        *slog.Logger
	Ports      *portpool.Pool
	Pacer      *media.Pacer
	RTPAddr    netip.Addr       // our address in SDP
	Codecs     []rtpcodec.Codec // the answer's choice when Outbound.Codecs is nil
	Inactivity time.Duration    // RTP inactivity timeout
	// AckSent, in tests, runs once the ACK of an answered leg has left.
	AckSent func()
}

// Outbound is what differs between the calls the server places: to an
// agent's phones or through the callback gateway or a trunk.
type Outbound struct {
	Name string // Leg.Agent
	Peer string // the far end, in errors: "agent" or "gateway"
	// Codecs are those offered, which the answer must choose from; nil
	// means the endpoint's (callers' and gateways' codecs).
	Codecs []rtpcodec.Codec
	// Offer builds the SDP offer for the leg's RTP address; a valid key
	// means SRTP was offered and the answer must match it.
	Offer func(local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error)
	// Ring sends the INVITE(s) and returns the answered dialog; it returns
	// ctx's error once ctx ends.
	Ring func(ctx context.Context, offer []byte) (*sipgo.DialogClientSession, error)
}

// Place places an outbound call from a fresh RTP port and returns its
// connected, acknowledged leg. Cancelling ctx gives ErrDialCancelled,
// ringTimeout ErrNoAnswer (package sipstatus); the port is released on
// every failure.
func (d Dialer) Place(ctx context.Context, o Outbound, ringTimeout time.Duration) (*Leg, error) {
	conn, port, err := d.Ports.Acquire()
	if err != nil {
		return nil, fmt.Errorf("%w: rtp port: %v", sipstatus.ErrDialFailed, err)
	}
	l := New(o.Name, d.Host, d.Log, netip.AddrPortFrom(d.RTPAddr, uint16(port)), uint64(time.Now().UnixNano()))
	release := func() {
		_ = conn.Close()
		d.Ports.Release(port)
	}
	offer, key, err := o.Offer(l.LocalRTP(), l.SDPSession())
	if err != nil {
		release()
		return nil, fmt.Errorf("%w: %v", sipstatus.ErrDialFailed, err)
	}
	ringCtx, cancel := context.WithTimeout(ctx, ringTimeout)
	defer cancel()
	dlg, err := o.Ring(ringCtx, offer)
	if err != nil {
		release()
		switch {
		case ctx.Err() != nil:
			return nil, sipstatus.ErrDialCancelled
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			return nil, sipstatus.ErrNoAnswer
		}
		return nil, err
	}
	codecs := o.Codecs
	if codecs == nil {
		codecs = d.Codecs
	}
	neg, err := sdp.Negotiate(dlg.InviteResponse.Body(), codecs)
	var sec *srtp.Session
	if err == nil {
		sec, err = sipsrtp.Agent(key, &neg)
	}
	if err != nil {
		release()
		_ = dlg.Ack(context.Background())
		_ = dlg.Bye(context.Background())
		return nil, fmt.Errorf("%w: %s answer: %v", sipstatus.ErrDialFailed, o.Peer, err)
	}
	stream := media.NewStream(conn, media.StreamConfig{
		Codec: neg.Codec, PayloadType: neg.PayloadType, DTMFPayloadType: neg.DTMFPayloadType,
		Remote: neg.Remote, InactivityTimeout: d.Inactivity, SRTP: sec,
	}, func() { d.Ports.Release(port) })
	l.Connect(dlg, neg, stream)
	// The leg takes in-dialog requests before the ACK leaves: the far end
	// may hang up (or re-INVITE) the moment the ACK reaches it, and its
	// BYE, handled on another goroutine, must not find the dialog missing
	// (481), which would leave this side bridged to nobody.
	stream.Start(d.Pacer)
	d.Host.Keep(dlg.ID, l)
	go l.Watch()
	if err := dlg.Ack(context.Background()); err != nil {
		l.Close()
		return nil, fmt.Errorf("%w: ack: %v", sipstatus.ErrDialFailed, err)
	}
	if d.AckSent != nil {
		d.AckSent()
	}
	return l, nil
}
