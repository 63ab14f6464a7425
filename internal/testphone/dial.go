package testphone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

const contentTypeSDP = "application/sdp"

var (
	// ErrNoFinalResponse means a CANCEL was answered but the INVITE never
	// got its final response (487) in time.
	ErrNoFinalResponse = errors.New("testphone: no final response after CANCEL")
)

// Call dials sip:<number>@<server> and returns once a final response
// arrives. On 2xx it sends the ACK and starts media; any other final
// response is returned as *StatusError. Cancelling ctx while the call is
// ringing sends a CANCEL.
func (p *Phone) Call(ctx context.Context, number string) (*Call, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	media, err := rtpaudio.Open(p.cfg.LocalIP, p.log)
	if err != nil {
		return nil, err
	}
	sessionID := p.nextSession.Add(1) + uint64(time.Now().UnixNano())
	offer, err := p.offerMedia(sessionID, 1, media, DirSendRecv)
	if err != nil {
		media.Close()
		return nil, err
	}
	dialog, err := p.invite(ctx, number, offer, contentTypeSDP, sipgo.AnswerOptions{})
	if err != nil {
		media.Close()
		return nil, err
	}
	c, err := p.establish(ctx, dialog, media, sessionID)
	if err != nil {
		media.Close()
		return nil, err
	}
	return c, nil
}

// establish acknowledges a 2xx and turns it into a running Call. A 2xx we
// cannot use (bad SDP) is still acknowledged and then hung up, so the
// server is never left with a half-open dialog.
func (p *Phone) establish(ctx context.Context, dialog *sipgo.DialogClientSession, media *rtpaudio.Session, sessionID uint64) (*Call, error) {
	if err := dialog.Ack(ctx); err != nil {
		_ = dialog.Close()
		return nil, fmt.Errorf("testphone: ack: %w", err)
	}
	answer := dialog.InviteResponse.Body()
	remote, err := sdpoffer.Parse(answer, p.codecs)
	if err == nil {
		err = media.Start(remote, p.dtmfPT)
	}
	if err != nil {
		p.byeQuietly(ctx, dialog)
		return nil, err
	}
	c := newCall(p, dialog, outgoingInfo(dialog), media, sessionID)
	c.remoteSDP, c.remote = string(answer), remote
	if !p.track(c) {
		p.byeQuietly(ctx, dialog)
		media.Close()
		return nil, ErrClosed
	}
	c.finishWithDialog()
	return c, nil
}

// CallAndCancel dials, sends CANCEL `after` the first provisional response,
// and returns the INVITE's final status (487 when the server honours the
// CANCEL). A final response that beats the CANCEL is returned as is; a 2xx
// is acknowledged and hung up first.
func (p *Phone) CallAndCancel(ctx context.Context, number string, after time.Duration) (int, error) {
	if p.isClosed() {
		return 0, ErrClosed
	}
	media, err := rtpaudio.Open(p.cfg.LocalIP, p.log)
	if err != nil {
		return 0, err
	}
	defer media.Close() // only needed for a real port in the offer
	offer, err := p.offerMedia(p.nextSession.Add(1), 1, media, DirSendRecv)
	if err != nil {
		return 0, err
	}
	req := p.newInvite(number, offer, contentTypeSDP)
	dialog, err := p.dialogs.WriteInvite(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("testphone: invite: %w", err)
	}
	defer dialog.Close()

	waitCtx, cancelInvite := context.WithCancel(ctx)
	defer cancelInvite()
	var cancelTimer *time.Timer
	opts := sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.IsProvisional() && cancelTimer == nil {
			cancelTimer = time.AfterFunc(after, cancelInvite)
		}
		return nil
	}}
	// sipgo sends the CANCEL itself when the context of WaitAnswer ends.
	err = dialog.WaitAnswer(waitCtx, p.withCredentials(opts))
	if cancelTimer != nil {
		cancelTimer.Stop()
	}
	return p.cancelOutcome(ctx, dialog, err)
}

func (p *Phone) cancelOutcome(ctx context.Context, dialog *sipgo.DialogClientSession, err error) (int, error) {
	var rejected *sipgo.ErrDialogResponse
	switch {
	case err == nil:
		code := dialog.InviteResponse.StatusCode
		if ackErr := dialog.Ack(ctx); ackErr == nil {
			p.byeQuietly(ctx, dialog)
		}
		return code, nil
	case errors.As(err, &rejected):
		return rejected.Res.StatusCode, nil
	case errors.Is(err, context.Canceled) && ctx.Err() == nil:
		res := dialog.InviteResponse
		if res == nil || res.IsProvisional() {
			return 0, ErrNoFinalResponse
		}
		return res.StatusCode, nil
	}
	return 0, fmt.Errorf("testphone: cancel: %w", err)
}

// RawInvite sends an INVITE with a caller-chosen body (nil for none) and
// returns the final status code. A 2xx is acknowledged and hung up at once.
func (p *Phone) RawInvite(ctx context.Context, number string, body []byte, contentType string) (int, error) {
	if p.isClosed() {
		return 0, ErrClosed
	}
	dialog, err := p.invite(ctx, number, body, contentType, sipgo.AnswerOptions{})
	var status *StatusError
	if errors.As(err, &status) {
		return status.Code, nil
	}
	if err != nil {
		return 0, err
	}
	code := dialog.InviteResponse.StatusCode
	if err := dialog.Ack(ctx); err != nil {
		_ = dialog.Close()
		return code, fmt.Errorf("testphone: ack: %w", err)
	}
	p.byeQuietly(ctx, dialog)
	return code, nil
}

// Options sends an out-of-dialog OPTIONS to the server and returns its status.
func (p *Phone) Options(ctx context.Context) (int, error) {
	if p.isClosed() {
		return 0, ErrClosed
	}
	req := sip.NewRequest(sip.OPTIONS, p.serverURI(""))
	p.addFromTo(req, "")
	p.pin(req)
	res, err := finalOf(p.client.Do(ctx, req))
	if err != nil {
		return 0, fmt.Errorf("testphone: options: %w", err)
	}
	return res.StatusCode, nil
}

// invite sends an INVITE and waits for its final response; non-2xx comes
// back as *StatusError.
func (p *Phone) invite(ctx context.Context, number string, body []byte, contentType string, opts sipgo.AnswerOptions) (*sipgo.DialogClientSession, error) {
	req := p.newInvite(number, body, contentType)
	dialog, err := p.dialogs.WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("testphone: invite: %w", err)
	}
	if err := dialog.WaitAnswer(ctx, p.withCredentials(opts)); err != nil {
		_ = dialog.Close()
		var rejected *sipgo.ErrDialogResponse
		if errors.As(err, &rejected) {
			return nil, &StatusError{Code: rejected.Res.StatusCode, Reason: rejected.Res.Reason}
		}
		return nil, fmt.Errorf("testphone: invite: %w", err)
	}
	return dialog, nil
}

// withCredentials lets sipgo answer a 401/407 to our INVITE (twice at
// most) when the phone has a password. sipgo answers the first challenge
// offered; the hotline lists SHA-256 first.
func (p *Phone) withCredentials(opts sipgo.AnswerOptions) sipgo.AnswerOptions {
	if p.cfg.Password != "" {
		opts.Username, opts.Password = p.cfg.User, p.cfg.Password
	}
	return opts
}

func (p *Phone) newInvite(number string, body []byte, contentType string) *sip.Request {
	req := sip.NewRequest(sip.INVITE, p.serverURI(number))
	p.addFromTo(req, number)
	if p.cfg.AssertedIdentity != "" {
		req.AppendHeader(sip.NewHeader("P-Asserted-Identity", p.cfg.AssertedIdentity))
	}
	if body != nil {
		if contentType != "" {
			req.AppendHeader(sip.NewHeader("Content-Type", contentType))
		}
		req.SetBody(body)
	}
	p.pin(req)
	return req
}

func (p *Phone) serverURI(user string) sip.Uri {
	host, portText, _ := net.SplitHostPort(p.cfg.Server) // validated in New
	port, _ := strconv.Atoi(portText)
	uri := sip.Uri{Scheme: "sip", User: user, Host: host, Port: port}
	if p.transport != "UDP" {
		uri.UriParams = sip.NewParams()
		uri.UriParams.Add("transport", strings.ToLower(p.transport))
	}
	return uri
}

// addFromTo sets the caller identity: sipgo would otherwise put its user
// agent name in From.
func (p *Phone) addFromTo(req *sip.Request, number string) {
	from := &sip.FromHeader{
		DisplayName: p.cfg.User,
		Address:     sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.LocalIP},
		Params:      sip.NewParams(),
	}
	from.Params.Add("tag", sip.GenerateTagN(16))
	host, _, _ := net.SplitHostPort(p.cfg.Server)
	to := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: number, Host: host}, Params: sip.NewParams()}
	req.AppendHeader(from)
	req.AppendHeader(to)
}

// pin makes a request leave from our listening socket (UDP), so responses
// and the server's in-dialog requests reach the socket we serve. Over TCP
// sipgo reuses the connection to the server, which carries both ways.
func (p *Phone) pin(req *sip.Request) {
	req.SetTransport(p.transport)
	if p.transport == "UDP" {
		p.laddr.Copy(&req.Laddr)
	}
}

// byeQuietly ends a dialog we do not want, ignoring failures: it is cleanup.
func (p *Phone) byeQuietly(ctx context.Context, dialog *sipgo.DialogClientSession) {
	bye := sip.NewRequest(sip.BYE, remoteTarget(dialog))
	p.pin(bye)
	if err := dialog.WriteBye(ctx, bye); err != nil {
		p.log.Debug("testphone: cleanup bye", "error", err)
	}
}

// remoteTarget is where in-dialog requests go: the peer's Contact.
func remoteTarget(dialog *sipgo.DialogClientSession) sip.Uri {
	if res := dialog.InviteResponse; res != nil {
		if contact := res.Contact(); contact != nil {
			return *contact.Address.Clone()
		}
	}
	return *dialog.InviteRequest.Recipient.Clone()
}
