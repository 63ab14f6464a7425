package interp

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func faultHarness(t *testing.T) *harness {
	t.Helper()
	flows, _, err := ivrtest.ParseConfig(t, "fault.yaml", ivrtest.FaultFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["main"], Env{Language: "en"})
	h.s.vars["account"] = "1234567890"
	return h
}

func actionOf[T Action](t *testing.T, actions []Action) T {
	t.Helper()
	for _, a := range actions {
		if v, ok := a.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T in %v", zero, actions)
	return zero
}

func TestRecordThenFileAndReadBack(t *testing.T) {
	h := faultHarness(t)
	expect(t, "start", h.start(), "enter message", "play en/fault_record")
	expect(t, "no barge-in on instructions", h.keys("#"))
	acts := h.s.Handle(PlaybackDone{})
	rec := actionOf[StartRecording](t, acts)
	if rec.MaxDuration != 30*time.Second || rec.EndSilence != 2*time.Second {
		t.Fatalf("record %+v", rec)
	}
	h.render(acts)
	expect(t, "other key ignored", h.keys("5"))
	if got := actionOf[StopRecording](t, h.s.Handle(Digit{D: '#'})); got.ID != rec.ID {
		t.Fatalf("stop %+v", got)
	}
	acts = h.s.Handle(RecordingDone{ID: rec.ID, File: "f.wav", Duration: 3 * time.Second})
	file := actionOf[FileFaultReport](t, acts)
	if file.Account != "1234567890" || file.File != "f.wav" {
		t.Fatalf("file %+v", file)
	}
	got := h.send(FaultReportFiled{ID: file.ID, Number: "F20261123-0042"})
	expect(t, "read back", got, "play en/fault_work_order_is en/digit_2 en/digit_0 en/digit_2 en/digit_6 en/digit_1 en/digit_1 en/digit_2 en/digit_3 en/digit_0 en/digit_0 en/digit_4 en/digit_2")
	if h.s.Vars()[ivr.DefaultWorkOrderVar] != "F20261123-0042" || h.s.Vars()[ivr.DefaultRecordingVar] != "f.wav" {
		t.Errorf("vars %v", h.s.Vars())
	}
	expect(t, "read back done", h.done(), "enter bye", "play en/goodbye")
}

func TestRecordEmptyGoesToOnFail(t *testing.T) {
	h := faultHarness(t)
	h.start()
	rec := actionOf[StartRecording](t, h.s.Handle(PlaybackDone{}))
	expect(t, "stale", h.send(RecordingDone{ID: rec.ID + 1, File: "x.wav", Duration: time.Minute}))
	expect(t, "too short", h.send(RecordingDone{ID: rec.ID, File: "x.wav", Duration: 100 * time.Millisecond}), "enter desk", "queue repair 0")
}

func TestRecordTimerStopsALateDriver(t *testing.T) {
	h := faultHarness(t)
	h.start()
	acts := h.s.Handle(PlaybackDone{})
	timer := actionOf[StartTimer](t, acts)
	if timer.After <= 30*time.Second {
		t.Fatalf("timer %v must leave the driver time to stop at 30s", timer.After)
	}
	got := h.send(TimerFired{ID: timer.ID})
	if len(got) != 3 || got[1] != "enter desk" {
		t.Fatalf("timeout %q", got)
	}
}

func TestFaultReportFailureSpeaksFallback(t *testing.T) {
	for _, how := range []string{"empty number", "timeout"} {
		h := faultHarness(t)
		h.start()
		rec := actionOf[StartRecording](t, h.s.Handle(PlaybackDone{}))
		acts := h.s.Handle(RecordingDone{ID: rec.ID, File: "f.wav", Duration: 3 * time.Second})
		file := actionOf[FileFaultReport](t, acts)
		timer := actionOf[StartTimer](t, acts)
		var got []string
		if how == "timeout" {
			got = h.send(TimerFired{ID: timer.ID})
		} else {
			got = h.send(FaultReportFiled{ID: file.ID})
		}
		expect(t, how, got, "play en/fault_not_filed")
		expect(t, how+": late answer", h.send(FaultReportFiled{ID: file.ID, Number: "1"}))
		expect(t, how+": fallback done", h.done(), "enter desk", "queue repair 0")
	}
}

// Without a service-capable leg, Run fails the work at once instead of
// waiting for timers.
func TestRunWithoutServicesFailsFast(t *testing.T) {
	flows, _, err := ivrtest.ParseConfig(t, "fault.yaml", ivrtest.FaultFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	leg := &plainLeg{events: make(chan Event, 4)}
	out, err := Run(t.Context(), NewSession(flows["main"], Env{Language: "en"}), leg, SystemTimers, nil)
	if err != nil || out.Queue != "repair" {
		t.Fatalf("outcome %+v %v", out, err)
	}
}

// plainLeg finishes every playback at once.
type plainLeg struct{ events chan Event }

func (l *plainLeg) Play([]ivr.PromptRef, bool) error { l.events <- PlaybackDone{}; return nil }
func (l *plainLeg) StopPlayback()                    {}
func (l *plainLeg) SetLanguage(string)               {}
func (l *plainLeg) Events() <-chan Event             { return l.events }
