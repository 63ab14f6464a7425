package testphone

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// fakeCallerID is the number the UAS calls the phone from.
const fakeCallerID = "13900000009"

// farDialog is a dialog at the UAS, whichever side of the INVITE it took.
type farDialog interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	Bye(ctx context.Context) error
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
	ReadRequest(req *sip.Request, tx sip.ServerTransaction) error
}

// matchDialog finds the dialog of an in-dialog request: one the phone
// placed, or one the UAS placed to the phone.
func (u *fakeUAS) matchDialog(req *sip.Request) (farDialog, error) {
	if d, err := u.cache(req).MatchDialogRequest(req); err == nil {
		return d, nil
	}
	d, err := u.dialers[req.Transport()].MatchRequestDialog(req)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// newUDPDialer builds the cache for calls to the phone over UDP, sent from
// the UAS's listening socket as a real server's would be. Pinning a request
// to that socket before sipgo adopted it would make sipgo bind the port
// again, so wait for it first.
func (u *fakeUAS) newUDPDialer() *sipgo.DialogClientCache {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for {
		conn, err := u.ua.TransportLayer().GetConnection("udp", u.UDPAddr())
		if err == nil {
			_, _ = conn.TryClose() // undo the reference GetConnection took
			break
		}
		select {
		case <-ctx.Done():
			u.t.Fatalf("uas: udp listener never ready: %v", err)
		case <-time.After(time.Millisecond): // polling: sipgo has no readiness signal
		}
	}
	client, err := sipgo.NewClient(u.ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientConnectionAddr(u.UDPAddr()))
	if err != nil {
		u.t.Fatalf("uas dialer: %v", err)
	}
	return sipgo.NewDialogClientCache(client, contactAt(u.UDPAddr(), ""))
}

// referRecord is one REFER the UAS accepted.
type referRecord struct {
	callID     string
	referTo    string
	referredBy string
	requestURI string
	fromTag    string
	toTag      string
}

func (u *fakeUAS) referLog() []referRecord {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]referRecord(nil), u.refers...)
}

// onRefer accepts a REFER with 202 and, like the hotline, reports
// progress with two sipfrag NOTIFYs: 100 Trying, then 200 OK.
func (u *fakeUAS) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	dialog, err := u.matchDialog(req)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "No Dialog", nil))
		return
	}
	rec := referRecord{callID: req.CallID().Value(), requestURI: req.Recipient.String(),
		fromTag: tagOf(req.From().Params), toTag: tagOf(req.To().Params)}
	if h := req.GetHeader("Refer-To"); h != nil {
		rec.referTo = h.Value()
	}
	if h := req.GetHeader("Referred-By"); h != nil {
		rec.referredBy = h.Value()
	}
	u.mu.Lock()
	u.refers = append(u.refers, rec)
	u.mu.Unlock()
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusAccepted, "Accepted", nil))

	target := req.Contact().Address
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		for _, frag := range []string{"SIP/2.0 100 Trying", "SIP/2.0 200 OK"} {
			notify := sip.NewRequest(sip.NOTIFY, target)
			notify.AppendHeader(sip.NewHeader("Event", "refer"))
			notify.AppendHeader(sip.NewHeader("Subscription-State", "active"))
			notify.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
			notify.SetBody([]byte(frag + "\r\n"))
			res, err := dialog.Do(ctx, notify)
			if err != nil || res == nil {
				// A test may end the call, and close both ends, as soon as
				// the phone has read the NOTIFY: our transaction dies then
				// (and sipgo may report neither a response nor an error).
				u.t.Logf("uas: NOTIFY %q: %v", frag, err)
				return
			}
			if res.StatusCode != sip.StatusOK {
				u.t.Errorf("uas: NOTIFY %q answered %d", frag, res.StatusCode)
				return
			}
		}
	}()
}

// phoneDial is a call the UAS places to the phone.
type phoneDial struct {
	dialog *sipgo.DialogClientSession
	call   *uasCall // nil unless answered
	// provisional lists the codes of provisional responses, in order.
	provisional []int
}

// callPhone rings the phone from fakeCallerID and, on 2xx, acknowledges
// it and echoes a tone to the phone's RTP like answered calls do. onRinging
// runs at the first 180. A non-2xx final response is returned as an
// error wrapping *sipgo.ErrDialogResponse.
func (u *fakeUAS) callPhone(ctx context.Context, p *Phone, onRinging func()) (*phoneDial, error) {
	conn, err := listenRTP()
	if err != nil {
		return nil, err
	}
	offer, err := sdpoffer.Build(sdpoffer.Params{
		SessionID: 9, Version: 1, IP: "127.0.0.1", Port: conn.LocalAddr().(*net.UDPAddr).Port,
		Codecs: []sdpoffer.Codec{knownCodec("PCMA"), knownCodec("PCMU")}, DTMFPT: defaultDTMFPT, Direction: DirSendRecv,
	})
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	dial := &phoneDial{}
	if dial.dialog, err = u.dialers[p.transport].WriteInvite(ctx, u.inviteTo(p, offer)); err != nil {
		_ = conn.Close()
		return nil, err
	}
	err = dial.dialog.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.IsProvisional() {
			dial.provisional = append(dial.provisional, res.StatusCode)
			if res.StatusCode == sip.StatusRinging && onRinging != nil {
				onRinging()
				onRinging = nil
			}
		}
		return nil
	}})
	if err != nil {
		_ = conn.Close()
		_ = dial.dialog.Close()
		return dial, err
	}
	if err := dial.dialog.Ack(ctx); err != nil {
		_ = conn.Close()
		return dial, err
	}
	answer, err := sdpoffer.Parse(dial.dialog.InviteResponse.Body(), []sdpoffer.Codec{knownCodec("PCMA"), knownCodec("PCMU")})
	if err != nil {
		_ = conn.Close()
		return dial, err
	}
	dial.call = u.adoptCall(dial.dialog, conn, answer.PayloadType, false)
	dial.call.start(&u.wg)
	return dial, nil
}

func (u *fakeUAS) inviteTo(p *Phone, offer []byte) *sip.Request {
	host, port := splitHostPort(p.Addr())
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: p.cfg.User, Host: host, Port: port})
	req.SetTransport(p.transport)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: fakeCallerID, Host: "127.0.0.1"}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(12))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: p.cfg.User, Host: host}, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Content-Type", contentTypeSDP))
	req.SetBody(offer)
	return req
}

// rejectedWith unwraps the final status of a refused callPhone.
func rejectedWith(err error) int {
	var rejected *sipgo.ErrDialogResponse
	if errors.As(err, &rejected) {
		return rejected.Res.StatusCode
	}
	return 0
}

// receiveWithin reads one value from ch or fails the wait.
func receiveWithin[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
