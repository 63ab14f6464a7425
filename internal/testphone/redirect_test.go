package testphone

import (
	"net"
	"strconv"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// redirect answers 302 naming to (the fake UAS's redirectTo) as Contact.
func (u *fakeUAS) redirect(req *sip.Request, dialog *sipgo.DialogServerSession, to string) {
	defer dialog.Close()
	u.mu.Lock()
	u.redirected = append(u.redirected, req)
	u.mu.Unlock()
	host, portText, _ := net.SplitHostPort(to)
	port, _ := strconv.Atoi(portText)
	contact := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: req.Recipient.User, Host: host, Port: port}}
	res := sip.NewResponseFromRequest(req, sip.StatusMovedTemporarily, "Moved Temporarily", nil)
	res.AppendHeader(contact)
	_ = dialog.WriteResponse(res)
}

// TestCallFollowsARedirect: a 302 sends the INVITE again to its Contact,
// with the same Call-ID and From tag and the next CSeq; the call runs
// with the server it names.
func TestCallFollowsARedirect(t *testing.T) {
	ctx := testContext(t)
	there := startUAS(t)
	here := startUAS(t)
	here.mu.Lock()
	here.redirectTo = there.UDPAddr()
	here.mu.Unlock()
	p := newPhoneFor(t, here, Config{})

	c, err := p.Call(ctx, "1002")
	if err != nil {
		t.Fatalf("redirected call: %v", err)
	}
	there.nextCall(ctx)
	here.mu.Lock()
	first := here.redirected
	here.mu.Unlock()
	if len(first) != 1 || first[0].CallID().Value() != c.CallID() {
		t.Fatalf("redirected INVITEs %d; the call goes on under %s", len(first), c.CallID())
	}
	if tag, _ := first[0].From().Params.Get("tag"); c.LocalTag() != tag {
		t.Errorf("From tag %s after the redirect, %s before", c.LocalTag(), tag)
	}
	c.SendTone(700)
	if err := c.WaitAudio(ctx, 10); err != nil {
		t.Fatalf("no audio from the server the call was redirected to: %v", err)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
}
