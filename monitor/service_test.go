package monitor

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/web"
)

func TestParseCodeSplitsModeAndAgent(t *testing.T) {
	codes := config.DefaultMonitor()
	for _, tc := range []struct {
		number string
		mode   mix.Mode
		agent  string
		ok     bool
	}{
		{"*311001", mix.Listen, "1001", true},
		{"*3210", mix.Whisper, "10", true},
		{"*3312345678", mix.Barge, "12345678", true},
		{"*31", 0, "", false},          // no agent
		{"*311", 0, "", false},         // too short for an agent id
		{"*31123456789", 0, "", false}, // too long
		{"*3110a1", 0, "", false},      // not digits
		{"*341001", 0, "", false},      // no such code
		{"1001", 0, "", false},         // no code at all
	} {
		mode, agent, ok := ParseCode(codes, tc.number)
		if ok != tc.ok || mode != tc.mode || agent != tc.agent {
			t.Errorf("%q: got %v %q %v, want %v %q %v", tc.number, mode, agent, ok, tc.mode, tc.agent, tc.ok)
		}
	}
	// An unconfigured code matches nothing, not every number.
	if _, _, ok := ParseCode(config.Monitor{Listen: "*31"}, "1001"); ok {
		t.Fatal("an empty whisper code matched a bare agent id")
	}
}

func TestSupervisorsAreSwappedWhole(t *testing.T) {
	svc, _ := newTestService(&fakePhones{}, nil)
	if sup, ok := svc.Supervisor("2002"); !ok || sup.SIPPassword() != "b" {
		t.Fatalf("supervisor 2002: %+v %v", sup, ok)
	}
	svc.SetSupervisors([]config.Supervisor{{ID: "2003", Agents: []string{"1001"}}})
	if _, ok := svc.Supervisor("2001"); ok {
		t.Fatal("2001 is still a supervisor after the reload")
	}
	if err := svc.authorise("2003", "1001"); err != nil {
		t.Fatalf("new supervisor refused: %v", err)
	}
	if err := svc.authorise("2003", "1002"); !errors.Is(err, errNotAllowed) {
		t.Fatalf("2003 on 1002: %v", err)
	}
}

func TestTrackAgainMovesTheCallToTheNewAgent(t *testing.T) {
	svc, _ := newTestService(&fakePhones{}, nil)
	first, second := newBridge(t), newBridge(t)
	untrack := svc.Track("c1", "1001", first)
	old := svc.byAgent["1001"]
	svc.Track("c1", "1002", second) // an attended transfer to 1002
	select {
	case <-old.ended:
	default:
		t.Fatal("the first agent's talk did not end")
	}
	if _, err := svc.reserve(&session{agent: "1001", supervisor: "2001"}); !errors.Is(err, errAgentIdle) {
		t.Fatalf("1001 after the transfer: %v", err)
	}
	talk, err := svc.reserve(&session{agent: "1002", supervisor: "2001"})
	if err != nil || talk.bridge != second || talk.callID != "c1" {
		t.Fatalf("1002 after the transfer: %+v %v", talk, err)
	}
	untrack()
	if len(svc.talks) != 0 || len(svc.byAgent) != 0 {
		t.Fatalf("untracked call still known: %v %v", svc.talks, svc.byAgent)
	}
	var nilSvc *Service
	nilSvc.Track("c2", "1001", first)() // no monitoring: a no-op
}

func TestAPIRefusalsMapToStatusesAndAreAudited(t *testing.T) {
	phones := &fakePhones{registered: map[string]bool{"2001": true, "2002": true}}
	svc, rec := newTestService(phones, nil)
	svc.Track("c1", "1002", newBridge(t))
	for _, tc := range []struct {
		sup, agent string
		want       error
		reason     string
	}{
		{"9999", "1002", web.ErrNotFound, "not a supervisor"},
		{"2001", "7777", web.ErrNotFound, "unknown agent"},
		{"2002", "1001", web.ErrForbidden, "may not monitor"},
		{"2001", "1003", web.ErrNotFound, "agent has no call"},
	} {
		before := len(rec.auditLog())
		_, err := svc.Control().StartMonitor(web.MonitorRequest{
			Supervisor: tc.sup, Agent: tc.agent, Mode: "listen", Token: "ops", Source: "10.0.0.9",
		})
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s → %s: %v, want %v", tc.sup, tc.agent, err, tc.want)
		}
		log := rec.auditLog()
		if len(log) != before+1 {
			t.Fatalf("%s → %s: %d audit entries, want one", tc.sup, tc.agent, len(log)-before)
		}
		e := log[before]
		if e.Action != "monitor_refused" || e.Result != "refused" || e.Actor != tc.sup || e.Agent != tc.agent ||
			e.Source != "10.0.0.9" || !e.At.Equal(testNow) || !strings.Contains(e.Detail, `"token":"ops"`) ||
			!strings.Contains(e.Detail, `"via":"api"`) || !strings.Contains(e.Detail, tc.reason) {
			t.Fatalf("%s → %s: audit %+v", tc.sup, tc.agent, e)
		}
	}

	// A supervisor without a registered phone: refused, and the call is
	// free again for the next request.
	delete(phones.registered, "2002")
	if _, err := svc.Control().StartMonitor(web.MonitorRequest{Supervisor: "2002", Agent: "1002", Mode: "listen"}); !errors.Is(err, web.ErrConflict) {
		t.Fatalf("no phone: %v", err)
	}
	if len(svc.byTarget) != 0 || len(svc.bySup) != 0 {
		t.Fatalf("refused request still holds a reservation: %v %v", svc.byTarget, svc.bySup)
	}
}

func TestAPISessionFollowsKeysUntilTheSupervisorHangsUp(t *testing.T) {
	leg, keys := supervisorLeg(t)
	phones := &fakePhones{registered: map[string]bool{"2001": true, "2002": true}, leg: leg, hungUp: make(chan struct{})}
	reg := prometheus.NewRegistry()
	svc, rec := newTestService(phones, reg)
	bridge := newBridge(t)
	defer svc.Track("c1", "1002", bridge)()

	view, err := svc.Control().StartMonitor(web.MonitorRequest{Supervisor: "2001", Agent: "1002", Mode: "listen", Token: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if view != (web.MonitorView{Supervisor: "2001", Agent: "1002", Mode: "listen", CallID: "c1", Status: "ringing"}) {
		t.Fatalf("view %+v", view)
	}
	// The call is taken while the first session runs.
	if _, err := svc.Control().StartMonitor(web.MonitorRequest{Supervisor: "2002", Agent: "1002", Mode: "barge"}); !errors.Is(err, web.ErrConflict) {
		t.Fatalf("second supervisor on the same call: %v", err)
	}

	ev := rec.nextEvent(t)
	if ev.Kind != call.MonitorStarted || ev.Detail != "listen" || ev.Reason != "" || ev.Target != "2001" ||
		ev.Agent != "1002" || ev.CallID != "" || !ev.Time.Equal(testNow) {
		t.Fatalf("start event %+v", ev)
	}
	if bridge.Monitored() == nil {
		t.Fatal("the supervisor is not mixed into the call")
	}
	keys <- interp.Digit{D: '2'}
	if ev := rec.nextEvent(t); ev.Kind != call.MonitorStarted || ev.Detail != "whisper" || ev.Reason != "mode_change" {
		t.Fatalf("after key 2: %+v", ev)
	}
	keys <- interp.Digit{D: '2'} // already whispering: nothing
	keys <- interp.Digit{D: '9'} // no mode: nothing
	keys <- interp.Digit{D: '3'}
	if ev := rec.nextEvent(t); ev.Kind != call.MonitorStarted || ev.Detail != "barge" || ev.Reason != "mode_change" {
		t.Fatalf("after key 3: %+v", ev)
	}
	if m := bridge.Monitored(); m == nil || m.Mode() != mix.Barge {
		t.Fatalf("mixer not in barge: %v", m)
	}
	keys <- interp.CallerHangup{}
	if ev := rec.nextEvent(t); ev.Kind != call.MonitorEnded || ev.Detail != "barge" || ev.Reason != "supervisor_hangup" {
		t.Fatalf("end event %+v", ev)
	}
	<-phones.hungUp
	if bridge.Monitored() != nil {
		t.Fatal("the supervisor is still mixed in after hanging up")
	}

	// The refusal of the second supervisor is written by its own request,
	// concurrently with the first session's start: only the session's own
	// entries have an order.
	var session, refused []string
	for _, e := range rec.auditLog() {
		entry := e.Action + "/" + e.Result
		if e.Result == "refused" {
			refused = append(refused, entry)
			continue
		}
		session = append(session, entry)
	}
	if got := strings.Join(refused, " "); got != "monitor_refused/refused" {
		t.Fatalf("refusals in the audit log %q, want one monitor_refused", got)
	}
	want := "monitor_listen/ok monitor_whisper/ok monitor_barge/ok monitor_end/ok"
	if got := strings.Join(session, " "); got != want {
		t.Fatalf("session in the audit log %q, want %q", got, want)
	}
	if n := testutil.ToFloat64(svc.sessions.WithLabelValues("listen")); n != 1 {
		t.Fatalf("listen sessions %v, want 1 (mode changes are not sessions)", n)
	}
	if n, err := testutil.GatherAndCount(reg, "hotline_monitor_sessions_total"); err != nil || n != 3 {
		t.Fatalf("series %d (%v), want one per mode", n, err)
	}
	if len(rec.played()) != 0 {
		t.Fatalf("prompts after the supervisor hung up: %v", rec.played())
	}
}
