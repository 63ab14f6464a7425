package testphone

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
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
	media *mediaSession

	mu         sync.Mutex
	sessionID  uint64
	sdpVersion uint64
	remoteSDP  string
	remote     remoteMedia
	refer      referState

	done     chan struct{}
	doneOnce sync.Once
}

func newCall(p *Phone, leg dialogLeg, info dialogInfo, media *mediaSession, sessionID uint64) *Call {
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
		c.media.close()
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
	return c.remote.codec
}

// LocalRTPPort is the port our RTP socket is bound to.
func (c *Call) LocalRTPPort() int { return c.media.localPort() }

// CallID is the SIP Call-ID, handy for matching server-side records.
func (c *Call) CallID() string { return c.info.callID }

// Incoming reports whether the server called the phone (an agent call)
// rather than the phone placing the call.
func (c *Call) Incoming() bool { return c.info.incoming }

// RemoteUser is the other party: the number dialled for an outgoing call,
// the caller ID the server presented for an incoming one.
func (c *Call) RemoteUser() string { return c.info.remoteUser }

// Received returns a copy of the receive statistics so far.
func (c *Call) Received() MediaStats { return c.media.snapshot() }

// SendTone replaces the outgoing silence by a sine tone; 0 restores silence.
func (c *Call) SendTone(freqHz float64) { c.media.setTone(freqHz) }

// RestartRTP makes the next packet sent jump its sequence number back by
// seqBack and its timestamp back by tsBack while keeping the SSRC, as an
// RTP sender that restarts behind an SBC does. Call it between digits.
func (c *Call) RestartRTP(seqBack uint16, tsBack uint32) {
	c.media.restart.Store(uint64(seqBack)<<32 | uint64(tsBack))
}

// StopMedia stops sending RTP while keeping the dialog (and receiving) up,
// e.g. to trigger the server's inactivity timeout.
func (c *Call) StopMedia() { c.media.stopSending() }

// SendDTMF sends one digit as RFC 4733 events in the RTP stream: 5 updates
// 20 ms apart (100 ms of tone) and 3 end packets, all with the timestamp of
// the slot where the digit began; audio pauses meanwhile. It returns once
// the last end packet is sent.
func (c *Call) SendDTMF(digit rune) error {
	event, err := dtmfEventCode(digit)
	if err != nil {
		return err
	}
	return c.media.sendDigit(event)
}

// SendDTMFString sends each digit with SendDTMF, pausing gap between them.
func (c *Call) SendDTMFString(s string, gap time.Duration) error {
	for i, digit := range s {
		if i > 0 && gap > 0 {
			select {
			case <-time.After(gap):
			case <-c.done:
				return ErrMediaClosed
			}
		}
		if err := c.SendDTMF(digit); err != nil {
			return fmt.Errorf("testphone: digit %d of %q: %w", i, s, err)
		}
	}
	return nil
}

// SendINFO sends a digit as SIP INFO. kind "dtmf-relay" sends
// application/dtmf-relay (Signal=/Duration=), kind "dtmf" sends
// application/dtmf with the bare digit.
func (c *Call) SendINFO(digit rune, kind string) error {
	if _, err := dtmfEventCode(digit); err != nil {
		return err
	}
	var contentType, body string
	switch kind {
	case "dtmf-relay":
		contentType = "application/dtmf-relay"
		body = "Signal=" + string(digit) + "\r\nDuration=" + strconv.Itoa(dtmfToneFrames*20) + "\r\n"
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

// Mute stops (true) or resumes (false) sending RTP, as a phone on hold
// that plays no music does; timestamps run on meanwhile.
func (c *Call) Mute(on bool) { c.media.muted.Store(on) }

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
	remote, err := parseAnswer(res.Body(), c.phone.codecs)
	if err != nil {
		return "", err
	}
	if err := c.adoptRemote(remote, string(res.Body())); err != nil {
		return "", err
	}
	return remote.direction, nil
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

func (c *Call) adoptRemote(remote remoteMedia, sdpText string) error {
	if err := c.media.setRemote(remote); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remote, c.remoteSDP = remote, sdpText
	return nil
}

// WaitAudio blocks until at least minFrames non-silent frames have arrived.
func (c *Call) WaitAudio(ctx context.Context, minFrames int) error {
	return c.media.waitFor(ctx, func(s *statsRecorder, _ time.Time, _ bool) (bool, time.Duration) {
		return s.stats.NonSilentFrames >= minFrames, 0
	})
}

// idleQuietFactor stretches `quiet` when judging a stream that stopped
// altogether: the absence of packets is weaker evidence than received
// silence, because a stalled sender or starved reader looks the same.
const idleQuietFactor = 3

// WaitSilenceAfterAudio blocks until some audio has been heard on the call
// (at any time) and has been followed by `quiet` of silence. It returns at
// once if a prompt already ended long enough ago.
//
// Silence means received silent frames covering `quiet` of audio time, so
// a scheduling stall cannot fake it; if the server sends no RTP at all
// after the audio, idleQuietFactor×quiet without packets also counts.
func (c *Call) WaitSilenceAfterAudio(ctx context.Context, quiet time.Duration) error {
	return c.media.waitFor(ctx, quietAfterAudio(0, quiet))
}

// WaitPlaybackEnd blocks until a prompt that is playing now or starts
// later has finished: at least one non-silent frame must arrive after the
// call, followed by `quiet` of silence as in WaitSilenceAfterAudio. Use it
// to step through successive prompts. The server hanging up also ends a
// prompt that was heard.
func (c *Call) WaitPlaybackEnd(ctx context.Context, quiet time.Duration) error {
	baseline := c.Received().NonSilentFrames
	return c.media.waitFor(ctx, quietAfterAudio(baseline, quiet))
}

// quietAfterAudio holds once more than `baseline` loud frames were heard
// and were followed by `quiet` of received silence, by a stream idle for
// idleQuietFactor×quiet, or by the end of the media.
func quietAfterAudio(baseline int, quiet time.Duration) waitCondition {
	return func(s *statsRecorder, now time.Time, closed bool) (bool, time.Duration) {
		if s.stats.NonSilentFrames <= baseline {
			return false, 0
		}
		if closed || s.silenceSinceLoud >= quiet {
			return true, 0
		}
		idleLeft := s.stats.LastPacket.Add(idleQuietFactor * quiet).Sub(now)
		return idleLeft <= 0, idleLeft
	}
}
