package testphone

import (
	"context"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// dialogLeg is what a Call needs from its sipgo dialog, whichever side of
// the INVITE the phone was on: *sipgo.DialogClientSession for calls it
// placed, *sipgo.DialogServerSession for calls it answered. In both roles
// sipgo fills From/To/Call-ID and keeps the dialog's own CSeq counter, so
// in-dialog requests only need the right Request-URI.
type dialogLeg interface {
	TransactionRequest(ctx context.Context, req *sip.Request) (sip.ClientTransaction, error)
	WriteRequest(req *sip.Request) error
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteBye(ctx context.Context, bye *sip.Request) error
	OnState(f sipgo.DialogStateFn)
	LoadState() sip.DialogState
	Close() error
}

// dialogInfo identifies a dialog from the phone's point of view.
type dialogInfo struct {
	callID    string
	localTag  string
	remoteTag string
	// target is the peer's Contact: the Request-URI of in-dialog requests.
	target sip.Uri
	// remoteUser is the other party: the number dialled, or the caller.
	remoteUser string
	incoming   bool
}

// outgoingInfo reads a dialog we started: our tag is in From, the
// server's in the To of its 2xx, and its Contact came with the 2xx.
func outgoingInfo(d *sipgo.DialogClientSession) dialogInfo {
	info := dialogInfo{
		callID:     d.InviteRequest.CallID().Value(),
		localTag:   tagOf(d.InviteRequest.From().Params),
		target:     remoteTarget(d),
		remoteUser: d.InviteRequest.Recipient.User,
	}
	if res := d.InviteResponse; res != nil && res.To() != nil {
		info.remoteTag = tagOf(res.To().Params)
	}
	return info
}

// incomingInfo reads a dialog the server started: sipgo put our tag in the
// To of its copy of the INVITE, the server's is in From, and requests go
// to the Contact of the INVITE. sipgo's ReadInvite has already refused an
// INVITE without From, To, Call-ID or Contact.
func incomingInfo(d *sipgo.DialogServerSession) dialogInfo {
	req := d.InviteRequest
	return dialogInfo{
		callID:     req.CallID().Value(),
		localTag:   tagOf(req.To().Params),
		remoteTag:  tagOf(req.From().Params),
		target:     *req.Contact().Address.Clone(),
		remoteUser: req.From().Address.User,
		incoming:   true,
	}
}

func tagOf(params sip.HeaderParams) string {
	tag, _ := params.Get("tag")
	return tag
}
