package callout

import (
	"testing"

	"github.com/hotline-oss/hotline/sip"
)

func TestFailOverOnlyForTrunkFailures(t *testing.T) {
	for code, want := range map[int]bool{500: true, 503: true, 403: true, 401: true, 407: true, 404: false, 484: false} {
		if got := failOver(sip.ErrorForStatus(code)); got != want {
			t.Errorf("failOver(%d) = %v, want %v", code, got, want)
		}
	}
	for _, err := range []error{sip.ErrAgentBusy, sip.ErrNoAnswer, sip.ErrAgentDeclined, sip.ErrDialCancelled, sip.ErrorForStatus(486)} {
		if failOver(err) {
			t.Errorf("failOver(%v) = true: the customer's answer", err)
		}
	}
	if !failOver(sip.ErrDialFailed) {
		t.Error("a transport failure must fail over")
	}
}
