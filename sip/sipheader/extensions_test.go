package sipheader

import (
	"errors"
	"testing"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

func inviteWith(headers ...string) *sipmsg.Request {
	req := sipmsg.NewRequest(sipmsg.INVITE, sipmsg.Uri{User: "95598", Host: "127.0.0.1"})
	for i := 0; i+1 < len(headers); i += 2 {
		req.AppendHeader(sipmsg.NewHeader(headers[i], headers[i+1]))
	}
	return req
}

func TestNegotiateTimer(t *testing.T) {
	p := TimerPolicy{MinSE: 90 * time.Second, Prefer: 1800 * time.Second}
	cases := []struct {
		name     string
		req      *sipmsg.Request
		want     SessionTimer
		tooSmall bool
		bad      bool
	}{
		{"no timer asked, none supported", inviteWith(), SessionTimer{}, false, false},
		{"supported, none asked: ours, caller refreshes", inviteWith("Supported", "timer"),
			SessionTimer{1800 * time.Second, RefresherUAC, true}, false, false},
		{"their Min-SE above ours", inviteWith("Supported", "100rel, timer", "Min-SE", "3600"),
			SessionTimer{3600 * time.Second, RefresherUAC, true}, false, false},
		{"asked with refresher", inviteWith("Supported", "timer", "Session-Expires", "300;refresher=uas"),
			SessionTimer{300 * time.Second, RefresherUAS, true}, false, false},
		{"compact forms", inviteWith("k", "timer", "x", "120"),
			SessionTimer{120 * time.Second, RefresherUAC, true}, false, false},
		{"inserted by a proxy: we refresh, no Require", inviteWith("Session-Expires", "600"),
			SessionTimer{600 * time.Second, RefresherUAS, false}, false, false},
		{"below Min-SE", inviteWith("Supported", "timer", "Session-Expires", "60"), SessionTimer{}, true, false},
		{"not a number", inviteWith("Session-Expires", "abc"), SessionTimer{}, false, true},
		{"zero", inviteWith("Session-Expires", "0"), SessionTimer{}, false, true},
		{"bad refresher", inviteWith("Session-Expires", "600;refresher=me"), SessionTimer{}, false, true},
		{"bad Min-SE", inviteWith("Session-Expires", "600", "Min-SE", "-1"), SessionTimer{}, false, true},
	}
	for _, tc := range cases {
		got, tooSmall, err := NegotiateTimer(tc.req, p)
		if got != tc.want || tooSmall != tc.tooSmall || (err != nil) != tc.bad {
			t.Errorf("%s: got %+v tooSmall=%v err=%v; want %+v tooSmall=%v bad=%v",
				tc.name, got, tooSmall, err, tc.want, tc.tooSmall, tc.bad)
		}
		if err != nil && !errors.Is(err, ErrBadSessionExpires) {
			t.Errorf("%s: error %v is not errBadSessionExpires", tc.name, err)
		}
	}
	if st, _, _ := NegotiateTimer(inviteWith("Session-Expires", "600"), TimerPolicy{Disable: true}); st.Active() {
		t.Error("a disabled policy negotiated a timer")
	}
}

func TestSessionTimerWaits(t *testing.T) {
	for _, tc := range []struct{ interval, refresh, expiry time.Duration }{
		{90 * time.Second, 45 * time.Second, 60 * time.Second},
		{1800 * time.Second, 900 * time.Second, 1768 * time.Second}, // at most 32 s before the end
		{3 * time.Second, 1500 * time.Millisecond, 2 * time.Second},
	} {
		st := SessionTimer{Interval: tc.interval}
		if st.RefreshWait() != tc.refresh || st.ExpiryWait() != tc.expiry {
			t.Errorf("%s: refresh %s expiry %s, want %s and %s", tc.interval, st.RefreshWait(), st.ExpiryWait(), tc.refresh, tc.expiry)
		}
	}
	if got := (SessionTimer{Interval: 1800 * time.Second, Refresher: RefresherUAS}).Header(); got != "1800;refresher=uas" {
		t.Errorf("header %q", got)
	}
}

func TestParseRAck(t *testing.T) {
	if r, c, m, err := ParseRAck("776656 1 INVITE"); err != nil || r != 776656 || c != 1 || m != "INVITE" {
		t.Errorf("got %d %d %q %v", r, c, m, err)
	}
	for _, bad := range []string{"", "1 INVITE", "x 1 INVITE", "1 99999999999 INVITE", "1 2 INVITE extra"} {
		if _, _, _, err := ParseRAck(bad); err == nil {
			t.Errorf("RAck %q accepted", bad)
		}
	}
}

func TestUnsupportedRequire(t *testing.T) {
	got := UnsupportedRequire(inviteWith("Require", "100rel, timer, replaces", "Require", "foo"))
	if len(got) != 2 || got[0] != "replaces" || got[1] != "foo" {
		t.Errorf("got %v", got)
	}
}
