package sip

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// An agent's phone may hang up the moment our ACK reaches it (an agent
// who picked up by mistake, a phone that hangs up a call it cannot take).
// Its BYE must find the leg we just answered, however late this side
// gets to its bookkeeping after sending the ACK: a BYE answered 481
// leaves the leg up on this side, the caller bridged to nobody.
func TestAgentByeRightBehindTheAckEndsTheLeg(t *testing.T) {
	e := startEndpoint(t)
	p, err := testphone.New(testphone.Config{Server: e.Addr().String(), User: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	p.SetAnswerMode(testphone.AutoAnswer)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hungUp := make(chan error, 1)
	e.ackSent = func() {
		// The phone sees the call confirmed by our ACK and hangs up at
		// once, before this side returns the leg.
		select {
		case c := <-p.Incoming():
			hungUp <- c.Hangup(ctx)
		case <-ctx.Done():
			hungUp <- errors.New("the phone never saw the call confirmed")
		}
	}
	phoneAddr := netip.MustParseAddrPort(p.Addr())
	binding := registrar.Binding{
		User:      "1001",
		Contact:   sipmsg.Uri{Scheme: "sip", User: "1001", Host: phoneAddr.Addr().String(), Port: int(phoneAddr.Port())},
		Source:    phoneAddr.String(),
		Transport: "UDP",
	}
	leg, err := e.DialBindings(ctx, "1001", "13800000001", []registrar.Binding{binding}, 5*time.Second)
	if err != nil {
		t.Fatalf("dial the agent: %v", err)
	}
	if err := <-hungUp; err != nil {
		t.Fatalf("the agent's BYE right behind our ACK: %v", err)
	}
	select {
	case <-leg.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("the agent hung up but the leg is still up on this side")
	}
	if by, why := leg.HangupBy(), leg.EndReason(); by != call.HangupByAgent || why != "bye" {
		t.Errorf("the leg ended by %q (%s), want the agent's BYE", by, why)
	}
	left := 0
	e.legs.Range(func(any, any) bool { left++; return true })
	if left != 0 {
		t.Errorf("%d ended leg(s) still kept for in-dialog requests", left)
	}
}
