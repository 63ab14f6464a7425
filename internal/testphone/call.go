package testphone

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// infoTimeout bounds SendINFO, whose signature carries no context.
const infoTimeout = 5 * time.Second

// ErrBadDirection means a re-INVITE answer did not carry the expected direction.
var ErrBadDirection = errors.New("testphone: unexpected media direction in answer")

// Call is one established call, placed by the phone or answered by it.
type Call struct {
	phone *Phone
	leg   dialogLeg
	info  dialogInfo
	media *rtpaudio.Session

	mu         sync.Mutex
	sessionID  uint64
	sdpVersion uint64
	remoteSDP  string
	remote     sdpoffer.Remote
	refer      referState

	done     chan struct{}
	doneOnce sync.Once
}

func newCall(p *Phone, leg dialogLeg, info dialogInfo, media *rtpaudio.Session, sessionID uint64) *Call {
	return &Call{
		phone: p, leg: leg, info: info, media: media,
		sessionID: sessionID, sdpVersion: 1,
		refer: referState{changed: make(chan struct{})},
		done:  make(chan struct{}),
	}
}

// finishWithDialog ends the call when sipgo ends its dialog (a BYE from the
// server, or ours answered).
func (c *Call) finishWithDialog() {
	c.leg.OnState(func(s sip.DialogState) {
		if s == sip.DialogStateEnded {
			c.finish()
		}
	})
	if c.leg.LoadState() == sip.DialogStateEnded { // BYE raced the OnState registration
		c.finish()
	}
}

// Done is closed when the server hangs up (its BYE is answered 200) or
// after our own Hangup; media is stopped by then.
func (c *Call) Done() <-chan struct{} { return c.done }

// finish releases the call's media once the dialog is over.
func (c *Call) finish() {
	c.doneOnce.Do(func() {
		c.media.Close()
		c.phone.forget(c)
		_ = c.leg.Close() // drops the dialog from sipgo's cache
		close(c.done)
	})
}

// RemoteSDP is the latest SDP the server sent (answer or re-offer).
func (c *Call) RemoteSDP() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remoteSDP
}

// Codec is the negotiated audio codec name, e.g. "PCMU".
func (c *Call) Codec() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remote.Codec
}

// CallID is the SIP Call-ID, handy for matching server-side records.
func (c *Call) CallID() string { return c.info.callID }

// Incoming reports whether the server called the phone (an agent call)
// rather than the phone placing the call.
func (c *Call) Incoming() bool { return c.info.incoming }

// RemoteUser is the other party: the number dialled for an outgoing call,
// the caller ID the server presented for an incoming one.
func (c *Call) RemoteUser() string { return c.info.remoteUser }

// SendINFO sends a digit as SIP INFO. kind "dtmf-relay" sends
// application/dtmf-relay (Signal=/Duration=), kind "dtmf" sends
// application/dtmf with the bare digit.
func (c *Call) SendINFO(digit rune, kind string) error {
	if _, err := rtpaudio.DigitEvent(digit); err != nil {
		return err
	}
	var contentType, body string
	switch kind {
	case "dtmf-relay":
		contentType = "application/dtmf-relay"
		body = "Signal=" + string(digit) + "\r\nDuration=" + strconv.Itoa(rtpaudio.DigitToneFrames*20) + "\r\n"
	case "dtmf":
		contentType, body = "application/dtmf", string(digit)
	default:
		return fmt.Errorf("testphone: unknown INFO kind %q", kind)
	}
	ctx, cancel := context.WithTimeout(context.Background(), infoTimeout)
	defer cancel()
	req := sip.NewRequest(sip.INFO, c.info.target)
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody([]byte(body))
	c.phone.pin(req)
	res, err := finalOf(c.leg.Do(ctx, req))
	if err != nil {
		return fmt.Errorf("testphone: info: %w", err)
	}
	if !res.IsSuccess() {
		return &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return nil
}

// Hangup sends BYE and waits for its response. Hanging up a call the
// server already ended is not an error. On an answered call the BYE goes
// from the callee's side of the dialog; sipgo holds it until our 200 was
// acknowledged, as RFC 3261 section 15 asks.
func (c *Call) Hangup(ctx context.Context) error {
	bye := sip.NewRequest(sip.BYE, c.info.target)
	c.phone.pin(bye)
	err := c.leg.WriteBye(ctx, bye)
	c.finish() // whatever the server said, this side is done with the call
	if err != nil {
		return fmt.Errorf("testphone: bye: %w", err)
	}
	return nil
}

// Hold re-INVITEs with a=sendonly and requires a 200 whose answer is recvonly.
func (c *Call) Hold(ctx context.Context) error {
	return c.reInviteExpect(ctx, DirSendOnly, DirRecvOnly)
}

// Unhold re-INVITEs with a=sendrecv and requires a sendrecv answer.
func (c *Call) Unhold(ctx context.Context) error {
	return c.reInviteExpect(ctx, DirSendRecv, DirSendRecv)
}

func (c *Call) reInviteExpect(ctx context.Context, offer, want string) error {
	got, err := c.ReInvite(ctx, offer)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: offered %s, answered %s, want %s", ErrBadDirection, offer, got, want)
	}
	return nil
}

// ReInvite sends a new offer with direction dir (sendrecv, sendonly,
// recvonly, inactive), acknowledges a 2xx, adopts the answer's media
// address, and returns the direction the answer carries. Non-2xx comes back
// as *StatusError.
func (c *Call) ReInvite(ctx context.Context, dir string) (string, error) {
	c.mu.Lock()
	c.sdpVersion++
	sessionID, version := c.sessionID, c.sdpVersion
	c.mu.Unlock()
	offer, err := c.phone.offerMedia(sessionID, version, c.media, dir)
	if err != nil {
		return "", err
	}
	target := c.info.target
	req := sip.NewRequest(sip.INVITE, target)
	req.AppendHeader(sip.NewHeader("Content-Type", contentTypeSDP))
	req.SetBody(offer)
	c.phone.pin(req)

	res, err := c.finalResponse(ctx, req)
	if err != nil {
		return "", err
	}
	if !res.IsSuccess() {
		return "", &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	ack := sip.NewRequest(sip.ACK, target)
	c.phone.pin(ack)
	if err := c.leg.WriteRequest(ack); err != nil {
		return "", fmt.Errorf("testphone: re-invite ack: %w", err)
	}
	remote, err := sdpoffer.Parse(res.Body(), c.phone.codecs)
	if err != nil {
		return "", err
	}
	if err := c.adoptRemote(remote, string(res.Body())); err != nil {
		return "", err
	}
	return remote.Direction, nil
}

// finalResponse runs one in-dialog client transaction to its final response.
func (c *Call) finalResponse(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	tx, err := c.leg.TransactionRequest(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("testphone: %s: %w", req.Method, err)
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			return nil, fmt.Errorf("testphone: %s: transaction ended: %w", req.Method, tx.Err())
		case <-ctx.Done():
			return nil, fmt.Errorf("testphone: %s: %w", req.Method, ctx.Err())
		}
	}
}

func (c *Call) adoptRemote(remote sdpoffer.Remote, sdpText string) error {
	if err := c.media.SetRemote(remote); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remote, c.remoteSDP = remote, sdpText
	return nil
}
