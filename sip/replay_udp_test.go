package sip

import (
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/sip/guard"
)

func TestReplayedRegisterOverUDPIsCounted(t *testing.T) {
	e := startGuarded(t, nil)
	p := newRawPhone(t, e.Addr())
	uri := "sip:1001@127.0.0.1"
	chal := p.send(p.request("REGISTER", uri, ""), time.Second)
	good := authorization(t, chal, "REGISTER", uri, "1001", "pw1001")
	if res := p.send(p.request("REGISTER", uri, good), time.Second); statusLine(res) != "SIP/2.0 200 OK" {
		t.Fatalf("genuine REGISTER: %q", statusLine(res))
	}
	// A new transaction carrying the captured Authorization.
	res := p.send(p.request("REGISTER", uri, good), time.Second)
	if statusLine(res) != "SIP/2.0 401 Unauthorized" || !strings.Contains(header(res, "WWW-Authenticate"), "stale=true") {
		t.Fatalf("replayed REGISTER: %q %q, want 401 stale=true", statusLine(res), header(res, "WWW-Authenticate"))
	}
	if e.rejected(guard.RejectNonceReplay) != 1 || e.rejected(guard.RejectAuthFailed) != 0 {
		t.Errorf("nonce_replay %d auth_failed %d, want 1 and 0", e.rejected(guard.RejectNonceReplay), e.rejected(guard.RejectAuthFailed))
	}
	if !strings.Contains(e.logs.String(), "reason=nonce_replay") {
		t.Error("no log line names the replay")
	}
}
