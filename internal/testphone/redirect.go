package testphone

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A server of a cluster may redirect a call (302 Moved Temporarily) to
// the server that should take it, as it does with an agent's consult
// call. The phone follows one redirect, as softphones do: the same
// Call-ID, From and To, the next CSeq, to the Contact of the 302.

// redirectTarget is the Contact of a 301/302 answer to our INVITE; ok is
// false for any other answer.
func redirectTarget(err error) (res *sip.Response, target sip.Uri, ok bool) {
	var rejected *sipgo.ErrDialogResponse
	if !errors.As(err, &rejected) {
		return nil, target, false
	}
	res = rejected.Res
	if res.StatusCode != sip.StatusMovedPermanently && res.StatusCode != sip.StatusMovedTemporarily {
		return nil, target, false
	}
	contact := res.Contact()
	if contact == nil {
		return nil, target, false
	}
	return res, *contact.Address.Clone(), true
}

// redirected is the INVITE req sent again to target.
func (p *Phone) redirected(req *sip.Request, target sip.Uri) *sip.Request {
	next := sip.NewRequest(sip.INVITE, target)
	for _, name := range []string{"From", "To", "Call-ID", "Content-Type", "P-Asserted-Identity"} {
		if h := req.GetHeader(name); h != nil {
			next.AppendHeader(sip.HeaderClone(h))
		}
	}
	cseq := req.CSeq()
	next.AppendHeader(&sip.CSeqHeader{SeqNo: cseq.SeqNo + 1, MethodName: sip.INVITE})
	next.SetBody(req.Body())
	p.pin(next)
	return next
}

// followRedirect sends req again where a 302 said, once; the dialog of
// that second INVITE is answered or refused as any call is.
func (p *Phone) followRedirect(ctx context.Context, req *sip.Request, target sip.Uri, opts sipgo.AnswerOptions) (*sipgo.DialogClientSession, error) {
	next := p.redirected(req, target)
	dialog, err := p.dialogs.WriteInvite(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("testphone: redirected invite: %w", err)
	}
	if err := dialog.WaitAnswer(ctx, p.withCredentials(opts)); err != nil {
		_ = dialog.Close()
		return nil, answerError(err)
	}
	return dialog, nil
}
