package monitor

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/web"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestPhoneRefusalsTellTheSupervisorWhy(t *testing.T) {
	svc, rec := newTestService(&fakePhones{}, nil)
	svc.Track("c1", "1001", newBridge(t))
	svc.bySup["2002"] = &session{supervisor: "2002", agent: "1003"} // 2002 is busy elsewhere
	for _, tc := range []struct {
		sup, agent, prompt string
	}{
		{"9999", "1001", "monitor_not_allowed"}, // not a supervisor
		{"2002", "1001", "monitor_not_allowed"}, // not one of 2002's agents
		{"2001", "7777", "monitor_no_call"},     // no such agent
		{"2001", "1003", "monitor_no_call"},     // agent not talking
		{"2002", "1002", "monitor_no_call"},
	} {
		leg, _ := supervisorLeg(t)
		svc.ServePhone(leg, tc.sup, tc.agent, mix.Listen, "10.0.0.7:5060", discard)
		played := rec.played()
		if got := played[len(played)-1]; got != tc.prompt {
			t.Errorf("%s → %s: heard %s, want %s", tc.sup, tc.agent, got, tc.prompt)
		}
		log := rec.auditLog()
		e := log[len(log)-1]
		if e.Action != "monitor_refused" || e.Actor != tc.sup || e.Source != "10.0.0.7:5060" || !strings.Contains(e.Detail, `"via":"sip"`) {
			t.Errorf("%s → %s: audit %+v", tc.sup, tc.agent, e)
		}
	}
	svc.Track("c2", "1002", newBridge(t))
	leg, _ := supervisorLeg(t)
	svc.ServePhone(leg, "2002", "1002", mix.Listen, "", discard)
	if played := rec.played(); played[len(played)-1] != "monitor_busy" {
		t.Fatalf("busy supervisor heard %v", played)
	}
}

func TestPhoneSessionEndsWithTheCall(t *testing.T) {
	svc, rec := newTestService(&fakePhones{}, nil)
	bridge := newBridge(t)
	untrack := svc.Track("c1", "1001", bridge)
	leg, _ := supervisorLeg(t)
	served := make(chan struct{})
	go func() {
		defer close(served)
		svc.ServePhone(leg, "2001", "1001", mix.Whisper, "", discard)
	}()
	if ev := rec.nextEvent(t); ev.Kind != call.MonitorStarted || ev.Detail != "whisper" {
		t.Fatalf("start %+v", ev)
	}
	untrack()
	bridge.Close() // the caller hung up
	if ev := rec.nextEvent(t); ev.Kind != call.MonitorEnded || ev.Reason != "call_ended" {
		t.Fatalf("end %+v", ev)
	}
	<-served
	if played := rec.played(); len(played) != 1 || played[0] != "monitor_ended" {
		t.Fatalf("supervisor heard %v, want monitor_ended", played)
	}
	if len(svc.byTarget) != 0 || len(svc.bySup) != 0 {
		t.Fatal("the ended session still holds its reservation")
	}
}

func TestRingingStopsWhenTheCallEnds(t *testing.T) {
	phones := &fakePhones{registered: map[string]bool{"2001": true}, block: true}
	svc, rec := newTestService(phones, nil)
	untrack := svc.Track("c1", "1001", newBridge(t))
	if _, err := svc.Control().StartMonitor(web.MonitorRequest{Supervisor: "2001", Agent: "1001", Mode: "listen"}); err != nil {
		t.Fatal(err)
	}
	untrack() // the call ends while the supervisor's phone rings
	e := rec.nextAudit(t)
	if e.Action != "monitor_refused" || !strings.Contains(e.Detail, "supervisor not reached") ||
		!strings.Contains(e.Detail, `"call_id":"c1"`) {
		t.Fatalf("audit %+v", e)
	}
}
