package interp

import (
	"context"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

const noticesFlow = `
flows:
  main:
    start: notices
    nodes:
      notices: {type: notices, prompts: [press_1_continue], next: menu}
      menu:
        type: menu
        prompts: [main_menu]
        options: {"1": bye}
      bye: {type: hangup}
`

func noticesEnv(lang string) Env {
	return Env{Language: lang, AreaNotices: func(area string) []AreaNotice {
		if area != "north" {
			return nil
		}
		return []AreaNotice{
			{ID: "3", Prompts: []ivr.PromptRef{{Lang: "zh", Name: "notice:3"}}},
			{ID: "4"}, // no recording in any language: skipped
			{ID: "5", Prompts: []ivr.PromptRef{{Name: "storm"}}},
		}
	}}
}

func noticesSession(t *testing.T, area string) *harness {
	t.Helper()
	flows, _, err := ivrtest.ParseConfig(t, "notices.yaml", noticesFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["main"], noticesEnv("en"))
	if area != "" {
		h.s.vars[ivr.DefaultAreaVar] = area
	}
	return h
}

func TestNoticesPlayForTheArea(t *testing.T) {
	h := noticesSession(t, "north")
	acts := h.s.Start()
	var heard []string
	for _, a := range acts {
		if n, ok := a.(NoticeHeard); ok {
			heard = append(heard, n.ID+"@"+n.Area)
		}
	}
	if len(heard) != 2 || heard[0] != "3@north" || heard[1] != "5@north" {
		t.Errorf("heard %v", heard)
	}
	expect(t, "other key ignored", h.keys("5"))
	expect(t, "notices end", h.done(), "timer 5s")
	if !h.s.AtNotice() {
		t.Error("not at notice while waiting")
	}
	expect(t, "1 continues", h.keys("1"), "enter menu", "play! en/main_menu")
	if h.s.AtNotice() {
		t.Error("still at notice after continuing")
	}
}

func TestNoticesSilenceContinuesAndBargeIn(t *testing.T) {
	h := noticesSession(t, "north")
	h.start()
	expect(t, "1 during notice", h.keys("1"), "stop", "enter menu", "play! en/main_menu")

	h = noticesSession(t, "north")
	h.start()
	h.done()
	expect(t, "silence", h.fire(), "enter menu", "play! en/main_menu")
}

func TestNoticesSkippedWithoutArea(t *testing.T) {
	for _, area := range []string{"", "south"} {
		h := noticesSession(t, area)
		expect(t, "start "+area, h.start(), "enter notices", "enter menu", "play! en/main_menu")
	}
}

// A caller who hangs up after hearing the notice ends with AfterNotice,
// which the server counts as self-service.
func TestRunReportsHangupAfterNotice(t *testing.T) {
	flows, _, err := ivrtest.ParseConfig(t, "notices.yaml", noticesFlow, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	leg := newScriptLeg()
	s := NewSession(flows["main"], noticesEnv("zh"))
	s.vars[ivr.DefaultAreaVar] = "north"
	go func() {
		leg.events <- PlaybackDone{}
		close(leg.events)
	}()
	out, err := Run(context.Background(), s, leg, SystemTimers, nil)
	if err != nil || !out.CallerHungUp || !out.AfterNotice {
		t.Fatalf("outcome %+v, %v", out, err)
	}
	if len(leg.heard) != 2 {
		t.Errorf("leg heard %v", leg.heard)
	}
}

type scriptLeg struct {
	events chan Event
	heard  []NoticeHeard
}

func newScriptLeg() *scriptLeg { return &scriptLeg{events: make(chan Event, 8)} }

func (l *scriptLeg) Play([]ivr.PromptRef, bool) error { return nil }
func (l *scriptLeg) StopPlayback()                    {}
func (l *scriptLeg) SetLanguage(string)               {}
func (l *scriptLeg) Events() <-chan Event             { return l.events }
func (l *scriptLeg) Do(a Action) {
	if n, ok := a.(NoticeHeard); ok {
		l.heard = append(l.heard, n)
	}
}
