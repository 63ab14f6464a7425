package leg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Dial sends the INVITE req through ua and waits for the final answer,
// answering challenges and reporting responses as opts says. Once ctx
// ends it returns ctx's error at once; the CANCEL and a late answer are
// dealt with in the background. A final failure is the error
// sipstatus.ErrorForStatus gives for its status.
func Dial(ctx context.Context, ua *sipgo.DialogUA, req *sipmsg.Request, opts sipgo.AnswerOptions) (*sipgo.DialogClientSession, error) {
	dlg, err := ua.WriteInvite(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sipstatus.ErrDialFailed, err)
	}
	answered := make(chan error, 1)
	go func() { answered <- dlg.WaitAnswer(ctx, opts) }()
	select {
	case err = <-answered:
	case <-ctx.Done():
		// sipgo now sends CANCEL and waits for the INVITE's final answer:
		// up to 64*T1 when the far end has gone away. That must hold
		// neither the ringing nor the leg's RTP port.
		go finishCancelled(dlg, answered)
		return nil, ctx.Err()
	}
	if err != nil {
		if res := dlg.InviteResponse; res != nil && res.IsSuccess() {
			go hangUpLateAnswer(dlg)
		}
		var de *sipgo.ErrDialogResponse
		if errors.As(err, &de) {
			return nil, sipstatus.ErrorForStatus(de.Res.StatusCode)
		}
		return nil, err
	}
	return dlg, nil
}

// finishCancelled waits out a cancelled INVITE in the background and hangs
// up the call if the phone answered it after all.
func finishCancelled(dlg *sipgo.DialogClientSession, answered <-chan error) {
	err := <-answered
	if res := dlg.InviteResponse; err == nil || (res != nil && res.IsSuccess()) {
		hangUpLateAnswer(dlg)
		return
	}
	_ = dlg.Close()
}

// hangUpLateAnswer ends a dialog the phone answered just as we cancelled
// it (the 200 crossed our CANCEL): without ACK and BYE the phone would keep
// a call nobody is on.
func hangUpLateAnswer(dlg *sipgo.DialogClientSession) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	_ = dlg.Ack(ctx)
	_ = dlg.Bye(ctx)
	_ = dlg.Close()
}

// Invite addresses one INVITE the server sends.
type Invite struct {
	Target    sipmsg.Uri // Request-URI
	FromUser  string     // caller ID
	FromHost  string     // our host, in From
	To        sipmsg.Uri
	Dest      string // host:port the request goes to
	Transport string
	// Laddr, when set, is the local address the request leaves from (the
	// endpoint's listening UDP socket).
	Laddr *sipmsg.Addr
	Allow string // the methods we allow
	// Username and Password answer 401 and 407 challenges (trunks);
	// empty: they are not answered.
	Username, Password string
	// Heard, when set, is called at every response (trunks: the far end
	// is alive).
	Heard func()
	// Assert adds P-Asserted-Identity with FromUser (RFC 3325), for a
	// trunk in the same trust domain.
	Assert bool
}

// SendInvite sends inv with the SDP offer through ua and waits for the
// final answer (Dial).
func SendInvite(ctx context.Context, ua *sipgo.DialogUA, inv Invite, offer []byte) (*sipgo.DialogClientSession, error) {
	req := sipmsg.NewRequest(sipmsg.INVITE, inv.Target)
	from := &sipmsg.FromHeader{Address: sipmsg.Uri{User: inv.FromUser, Host: inv.FromHost}, Params: sipmsg.NewParams()}
	from.Params.Add("tag", sipmsg.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sipmsg.ToHeader{Address: inv.To})
	if inv.Assert && inv.FromUser != "" {
		req.AppendHeader(sipmsg.NewHeader("P-Asserted-Identity", "<"+from.Address.String()+">"))
	}
	req.AppendHeader(sipmsg.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sipmsg.NewHeader("Allow", inv.Allow))
	req.SetBody(offer)
	req.SetDestination(inv.Dest)
	req.SetTransport(inv.Transport)
	if inv.Laddr != nil {
		req.Laddr = *inv.Laddr
	}
	heard := func(*sipmsg.Response) error {
		if inv.Heard != nil {
			inv.Heard()
		}
		return nil
	}
	return Dial(ctx, ua, req, sipgo.AnswerOptions{Username: inv.Username, Password: inv.Password, OnResponse: heard})
}

// Fork rings n phones at once (ring sends the i-th INVITE) and keeps the
// first to answer; the others are cancelled, or hung up if they answered
// too. With none answered it returns ctx's error once ctx has ended, else
// the most telling failure (sipstatus.PickDialError).
func Fork(ctx context.Context, n int, ring func(ctx context.Context, i int) (*sipgo.DialogClientSession, error)) (*sipgo.DialogClientSession, error) {
	type result struct {
		dlg *sipgo.DialogClientSession
		err error
	}
	forkCtx, cancelForks := context.WithCancel(ctx)
	defer cancelForks()
	results := make(chan result, n)
	for i := range n {
		go func(i int) {
			dlg, err := ring(forkCtx, i)
			results <- result{dlg, err}
		}(i)
	}
	var winner *sipgo.DialogClientSession
	var errs []error
	for range n {
		r := <-results
		switch {
		case r.err == nil && winner == nil:
			winner = r.dlg
			cancelForks()
		case r.err == nil:
			go func(d *sipgo.DialogClientSession) { // answered too late
				_ = d.Ack(context.Background())
				_ = d.Bye(context.Background())
			}(r.dlg)
		default:
			errs = append(errs, r.err)
		}
	}
	if winner != nil {
		return winner, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, sipstatus.PickDialError(errs)
}
