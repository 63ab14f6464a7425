package testphone

import (
	"net/url"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
)

func TestBlindReferOnPlacedCall(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	call, _ := dial(t, ctx, uas, p, "95598")

	code, err := call.Refer(ctx, "2001")
	if err != nil || code != 202 {
		t.Fatalf("Refer = %d, %v; want 202", code, err)
	}
	final, err := call.WaitReferFinal(ctx)
	if err != nil || final != 200 || call.ReferStatus() != "SIP/2.0 200 OK" {
		t.Fatalf("WaitReferFinal = %d, %v; ReferStatus %q", final, err, call.ReferStatus())
	}
	refers := uas.referLog()
	if len(refers) != 1 {
		t.Fatalf("UAS saw %d REFERs, want 1", len(refers))
	}
	if want := "<sip:2001@" + uas.UDPAddr() + ">"; refers[0].referTo != want {
		t.Errorf("Refer-To = %q, want %q", refers[0].referTo, want)
	}
	if refers[0].callID != call.CallID() || !strings.Contains(refers[0].referredBy, "sip:1001@") {
		t.Errorf("REFER = %+v, want it in the call's dialog, referred by 1001", refers[0])
	}
}

func TestBlindReferOnAnsweredCallUsesUASDialog(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	call, dialled := answered(t, ctx, uas, p)

	code, err := call.Refer(ctx, "queue-billing")
	if err != nil || code != 202 {
		t.Fatalf("Refer = %d, %v; want 202", code, err)
	}
	if final, err := call.WaitReferFinal(ctx); err != nil || final != 200 {
		t.Fatalf("WaitReferFinal = %d, %v", final, err)
	}
	refers := uas.referLog()
	if len(refers) != 1 {
		t.Fatalf("UAS saw %d REFERs, want 1", len(refers))
	}
	got := refers[0]
	contact := contactAt(uas.UDPAddr(), "")
	if got.requestURI != contact.Address.String() {
		t.Errorf("REFER sent to %s, want the UAS's Contact %s", got.requestURI, contact.Address.String())
	}
	if got.fromTag != tagOf(dialled.dialog.InviteResponse.To().Params) || got.toTag != tagOf(dialled.dialog.InviteRequest.From().Params) {
		t.Errorf("REFER tags from=%s to=%s do not reverse the INVITE's", got.fromTag, got.toTag)
	}
}

func TestReferReplacesNamesTheOtherDialog(t *testing.T) {
	ctx := testContext(t)
	uas := startUAS(t)
	p := agentPhone(t, uas)
	customer, _ := answered(t, ctx, uas, p)      // the call to transfer
	consult, far := dial(t, ctx, uas, p, "2002") // the agent's consultation call

	code, err := customer.ReferReplaces(ctx, consult)
	if err != nil || code != 202 {
		t.Fatalf("ReferReplaces = %d, %v; want 202", code, err)
	}
	refers := uas.referLog()
	if len(refers) != 1 || refers[0].callID != customer.CallID() {
		t.Fatalf("REFERs = %+v, want one on the customer's call", refers)
	}
	referTo := refers[0].referTo
	if !strings.HasPrefix(referTo, "<") || !strings.HasSuffix(referTo, ">") {
		t.Fatalf("Refer-To %q not in angle brackets", referTo)
	}
	uri, headers, _ := strings.Cut(strings.Trim(referTo, "<>"), "?")
	if want := "sip:2002@" + uas.UDPAddr(); uri != want {
		t.Errorf("Refer-To URI = %q, want %q", uri, want)
	}
	name, escaped, _ := strings.Cut(headers, "=")
	if name != "Replaces" || strings.ContainsAny(escaped, ";=@") {
		t.Fatalf("Refer-To headers %q: want one Replaces with ';', '=', '@' escaped", headers)
	}
	replaces, err := url.QueryUnescape(escaped)
	if err != nil {
		t.Fatalf("unescape %q: %v", escaped, err)
	}
	// RFC 3891: to-tag is the tag of the UA that will receive the INVITE
	// with Replaces (here the UAS, which answered the consultation call),
	// from-tag the phone's.
	uasSide := far.dialog.(*sipgo.DialogServerSession)
	want := consult.CallID() +
		";to-tag=" + tagOf(uasSide.InviteResponse.To().Params) +
		";from-tag=" + tagOf(uasSide.InviteRequest.From().Params)
	if replaces != want {
		t.Errorf("Replaces = %q, want %q", replaces, want)
	}
	if _, err := customer.ReferReplaces(ctx, nil); err == nil {
		t.Error("ReferReplaces(nil) succeeded")
	}
}

func TestEscapeHeaderValue(t *testing.T) {
	for in, want := range map[string]string{
		"abc-1.2_3~":                 "abc-1.2_3~",
		"a@b;to-tag=x;from-tag=y":    "a%40b%3Bto-tag%3Dx%3Bfrom-tag%3Dy",
		"sp ce?&%":                   "sp%20ce%3F%26%25",
		"12345@192.168.118.3;to-tag": "12345%40192.168.118.3%3Bto-tag",
	} {
		if got := escapeHeaderValue(in); got != want {
			t.Errorf("escapeHeaderValue(%q) = %q, want %q", in, got, want)
		}
	}
}
