package sip

import (
	"testing"

	sipmsg "github.com/emiago/sipgo/sip"
)

func TestReplacedCallMatchesCallIDAndBothTags(t *testing.T) {
	e := &Endpoint{}
	c := &Call{ID: "call-1"}
	// A server-side dialog: our tag is the To tag, the phone's the From tag.
	e.calls.Store(sipmsg.DialogIDMake("call-1", "ours", "theirs"), c)
	if got := e.ReplacedCall(Replaces{CallID: "call-1", ToTag: "ours", FromTag: "theirs"}); got != c {
		t.Errorf("tags as RFC 3891 has them: %v", got)
	}
	if got := e.ReplacedCall(Replaces{CallID: "call-1", ToTag: "theirs", FromTag: "ours"}); got != c {
		t.Errorf("tags swapped, as some phones send them: %v", got)
	}
	for _, r := range []Replaces{
		{CallID: "call-2", ToTag: "ours", FromTag: "theirs"},
		{CallID: "call-1", ToTag: "ours", FromTag: "other"},
		{CallID: "call-1", ToTag: "", FromTag: "theirs"},
	} {
		if got := e.ReplacedCall(r); got != nil {
			t.Errorf("%+v matched a call", r)
		}
	}
}
