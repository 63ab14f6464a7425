package testphone

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// answered has the UAS call an auto-answering phone and returns both ends.
func answered(t *testing.T, ctx context.Context, uas *fakeUAS, p *Phone) (*Call, *phoneDial) {
	t.Helper()
	p.SetAnswerMode(AutoAnswer)
	dial, err := uas.callPhone(ctx, p, nil)
	if err != nil {
		t.Fatalf("UAS calling the phone: %v", err)
	}
	call, err := receiveWithin(ctx, p.Incoming())
	if err != nil {
		t.Fatalf("no incoming call delivered: %v", err)
	}
	return call, dial
}

// agentCall starts a UAS and an agent's phone, and has the UAS call it.
func agentCall(t *testing.T) (context.Context, *fakeUAS, *Call, *phoneDial) {
	t.Helper()
	ctx := testContext(t)
	uas := startUAS(t)
	call, dial := answered(t, ctx, uas, agentPhone(t, uas))
	return ctx, uas, call, dial
}

func TestIncomingCallAutoAnsweredWithAudioBothWays(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	call, dial := answered(t, ctx, uas, p)

	// No check on the 180 here: sent back to back with the 200, sipgo at
	// the UAS may process the 200 first and drop the 180. The delayed
	// answer test sees it.
	if !call.Incoming() || call.RemoteUser() != fakeCallerID || call.CallID() != dial.dialog.InviteRequest.CallID().Value() {
		t.Errorf("call: incoming %v, remote %q, Call-ID %q", call.Incoming(), call.RemoteUser(), call.CallID())
	}
	if call.Codec() != "PCMA" { // the UAS's first choice, which the phone also offers
		t.Errorf("Codec = %q, want PCMA", call.Codec())
	}
	if err := call.WaitAudio(ctx, 5); err != nil {
		t.Fatalf("phone hears nothing: %v", err)
	}
	call.SendTone(800)
	if err := dial.call.waitUntil(ctx, func(c *uasCall) bool { return c.loud >= 5 }); err != nil {
		t.Fatalf("UAS hears no tone: %v", err)
	}
	if err := call.SendDTMF('7'); err != nil {
		t.Fatalf("SendDTMF on incoming call: %v", err)
	}
	if events := waitEvents(t, ctx, dial.call, 1); len(events) == 0 {
		t.Error("no telephone-event packets")
	}

	ring, err := receiveWithin(ctx, p.Ringing())
	if err != nil || ring.From != fakeCallerID || ring.To != "1001" || ring.CallID != call.CallID() || ring.Status != 0 {
		t.Errorf("Ringing = %+v, %v", ring, err)
	}
	offer, err := receiveWithin(ctx, p.Offers())
	if err != nil || offer.Status != 200 || offer.Cancelled || offer.At.IsZero() {
		t.Errorf("Offers = %+v, %v; want answered 200", offer, err)
	}
}

func TestIncomingCallOverTCP(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := newPhoneFor(t, uas, Config{User: "1001", Transport: "tcp"})
	if err := p.Register(ctx, "s3cret", time.Hour); err != nil {
		t.Fatalf("Register: %v", err)
	}
	call, dial := answered(t, ctx, uas, p)

	if err := call.WaitAudio(ctx, 3); err != nil {
		t.Fatalf("WaitAudio: %v", err)
	}
	if err := call.Hold(ctx); err != nil {
		t.Fatalf("Hold over TCP: %v", err)
	}
	if code, err := call.Refer(ctx, "2001"); err != nil || code != 202 {
		t.Fatalf("Refer over TCP = %d, %v", code, err)
	}
	if final, err := call.WaitReferFinal(ctx); err != nil || final != 200 {
		t.Fatalf("NOTIFY over TCP = %d, %v", final, err)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatalf("Hangup over TCP: %v", err)
	}
	select {
	case <-dial.call.stopped:
	case <-ctx.Done():
		t.Fatal("UAS never got the BYE over TCP")
	}
}

func TestAutoAnswerAfterDelayRingsFirst(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	const delay = 100 * time.Millisecond
	p.SetAnswerMode(AutoAnswerAfter(delay))

	// The phone starts its delay when it sends 180. Seen from the caller,
	// 180 → 200 can be shorter than the delay when the 180 was delivered
	// late, so the bound that always holds is INVITE sent → 200 received.
	var rang bool
	invited := time.Now()
	dial, err := uas.callPhone(ctx, p, func() { rang = true })
	if err != nil {
		t.Fatalf("UAS calling the phone: %v", err)
	}
	if answeredAfter := time.Since(invited); !rang || answeredAfter < delay {
		t.Errorf("rang first: %v; answered %v after the INVITE, want >= %v", rang, answeredAfter, delay)
	}
	if got := dial.provisional; len(got) != 1 || got[0] != 180 {
		t.Errorf("provisional responses = %v, want one 180", got)
	}
	if dial.call == nil {
		t.Fatal("no media on the answered call")
	}
}

func TestIncomingCallRejected(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	for _, code := range []int{486, 603} {
		p.SetAnswerMode(Reject(code))
		_, err := uas.callPhone(ctx, p, nil)
		if got := rejectedWith(err); got != code {
			t.Fatalf("callPhone with Reject(%d) = %v", code, err)
		}
		offer, err := receiveWithin(ctx, p.Offers())
		if err != nil || offer.Status != code || offer.Cancelled {
			t.Errorf("Offers = %+v, %v; want status %d", offer, err, code)
		}
	}
}

func TestDefaultModeStillRefusesWith480(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)

	_, err := uas.callPhone(ctx, p, nil)
	if got := rejectedWith(err); got != 480 {
		t.Fatalf("callPhone to a phone with no answer mode = %v, want 480", err)
	}
}

func TestNoAnswerRingsUntilCancel(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	p.SetAnswerMode(NoAnswer)

	ringCtx, hangUp := context.WithCancel(ctx)
	defer hangUp()
	dial, err := uas.callPhone(ringCtx, p, hangUp) // the caller gives up at the first 180
	if err == nil || dial.call != nil {
		t.Fatalf("callPhone = %v, want the INVITE cancelled", err)
	}
	if code := dial.dialog.InviteResponse.StatusCode; code != 487 {
		t.Errorf("final response to the cancelled INVITE = %d, want 487", code)
	}
	ring, err := receiveWithin(ctx, p.Ringing())
	if err != nil || ring.From != fakeCallerID {
		t.Errorf("Ringing = %+v, %v", ring, err)
	}
	offer, err := receiveWithin(ctx, p.Offers())
	if err != nil || !offer.Cancelled || offer.Status != 487 || offer.CallID != ring.CallID {
		t.Errorf("Offers = %+v, %v; want the same INVITE cancelled", offer, err)
	}
	select {
	case c := <-p.Incoming():
		t.Errorf("a cancelled call was delivered as answered: %s", c.CallID())
	default:
	}
}

func TestHoldFromAnsweredCallUsesUASDialog(t *testing.T) {
	ctx, uas, call, dial := agentCall(t)

	if err := call.Hold(ctx); err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if err := call.Unhold(ctx); err != nil {
		t.Fatalf("Unhold: %v", err)
	}
	far := dial.call
	far.mu.Lock()
	directions, reInvites := strings.Join(far.directions, ","), far.reInvites
	far.mu.Unlock()
	if directions != "sendonly,sendrecv" {
		t.Errorf("UAS saw offers %s", directions)
	}
	ourTag := tagOf(dial.dialog.InviteResponse.To().Params)
	theirTag := tagOf(dial.dialog.InviteRequest.From().Params)
	contact := contactAt(uas.UDPAddr(), "")
	wantTarget := contact.Address.String()
	var lastCSeq uint32
	for i, req := range reInvites {
		if req.Recipient.String() != wantTarget {
			t.Errorf("re-INVITE %d to %s, want the UAS's Contact %s", i, req.Recipient.String(), wantTarget)
		}
		if tagOf(req.From().Params) != ourTag || tagOf(req.To().Params) != theirTag {
			t.Errorf("re-INVITE %d tags from=%s to=%s, want from=%s to=%s", i,
				tagOf(req.From().Params), tagOf(req.To().Params), ourTag, theirTag)
		}
		cseq := req.CSeq()
		if cseq.MethodName != sip.INVITE || cseq.SeqNo <= lastCSeq {
			t.Errorf("re-INVITE %d CSeq %d %s after %d", i, cseq.SeqNo, cseq.MethodName, lastCSeq)
		}
		lastCSeq = cseq.SeqNo
	}
	if err := call.WaitAudio(ctx, 1); err != nil {
		t.Fatalf("no audio after unhold: %v", err)
	}
}

func TestServerReInviteOnAnsweredCallIsMirrored(t *testing.T) {
	ctx, _, call, dial := agentCall(t)

	offer, err := sdpoffer.Build(sdpoffer.Params{
		SessionID: 9, Version: 2, IP: "127.0.0.1", Port: dial.call.port(),
		Codecs: []sdpoffer.Codec{knownCodec("PCMA")}, DTMFPT: defaultDTMFPT, Direction: DirSendOnly,
	})
	if err != nil {
		t.Fatal(err)
	}
	contact := dial.dialog.InviteResponse.Contact().Address
	reInvite := sip.NewRequest(sip.INVITE, contact)
	reInvite.AppendHeader(sip.NewHeader("Content-Type", contentTypeSDP))
	reInvite.SetBody(offer)
	res, err := dial.dialog.Do(ctx, reInvite)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("server re-INVITE = %v, %v", res, err)
	}
	if err := dial.dialog.WriteRequest(sip.NewRequest(sip.ACK, contact)); err != nil {
		t.Fatalf("ACK: %v", err)
	}
	if !strings.Contains(string(res.Body()), "a=recvonly") || !strings.Contains(call.RemoteSDP(), "a=sendonly") {
		t.Errorf("answer %q to a sendonly offer; RemoteSDP %q", res.Body(), call.RemoteSDP())
	}
	if err := call.Hangup(ctx); err != nil { // the dialog is still sound
		t.Fatalf("Hangup after re-INVITE: %v", err)
	}
}

func TestHangupFromAnsweredCallSendsBye(t *testing.T) {
	ctx, _, call, dial := agentCall(t)
	checkHangupSendsBye(t, ctx, call, dial.call)
	if state := dial.dialog.LoadState(); state != sip.DialogStateEnded {
		t.Errorf("UAS dialog state = %v, want ended", state)
	}
}

func TestServerByeEndsAnsweredCall(t *testing.T) {
	ctx, _, call, dial := agentCall(t)
	checkServerByeEndsCall(t, ctx, call, dial.call)
}

func TestCloseEndsAgentCallsAndLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx := testContext(t)
	uas := startFakeUAS(t)
	p, err := New(Config{Server: uas.UDPAddr(), User: "1001"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := p.Register(ctx, "s3cret", time.Hour); err != nil {
		t.Fatalf("Register: %v", err)
	}
	call, dial := answered(t, ctx, uas, p)
	if err := call.WaitAudio(ctx, 1); err != nil {
		t.Fatalf("WaitAudio: %v", err)
	}
	p.SetAnswerMode(NoAnswer)
	ringing := make(chan error, 1)
	go func() {
		_, err := uas.callPhone(ctx, p, nil)
		ringing <- err
	}()
	if _, err := receiveWithin(ctx, p.Ringing()); err != nil { // the answered call's
		t.Fatal(err)
	}
	if _, err := receiveWithin(ctx, p.Ringing()); err != nil { // the one left ringing
		t.Fatal(err)
	}

	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-dial.call.stopped: // BYE for the answered call
	case <-ctx.Done():
		t.Fatal("UAS never got a BYE from Close")
	}
	if err := <-ringing; rejectedWith(err) != 480 {
		t.Errorf("call ringing at Close got %v, want 480", err)
	}
	uas.Close()
	waitGoroutines(t, ctx, before)
}
