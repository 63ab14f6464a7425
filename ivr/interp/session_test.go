package interp

import (
	"maps"
	"slices"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

// atMainMenu starts the demo flow and lets the greeting finish, leaving the
// main menu prompt playing.
func atMainMenu(t *testing.T) *harness {
	t.Helper()
	flows, cals := loadDemo(t)
	h := newHarness(t, flows["main"], demoEnv(cals))
	expect(t, "start", h.start(), "enter greeting", "play zh/greeting")
	expect(t, "greeting done", h.done(), "enter notice", "enter hours", "enter main_menu", "play! zh/main_menu")
	return h
}

func TestGreetingIgnoresKeysWithoutBargeIn(t *testing.T) {
	flows, cals := loadDemo(t)
	h := newHarness(t, flows["main"], demoEnv(cals))
	h.start()
	expect(t, "key during greeting", h.keys("1"))
	expect(t, "greeting done", h.done(), "enter notice", "enter hours", "enter main_menu", "play! zh/main_menu")
}

func TestFlowLanguageOverridesCallerDefault(t *testing.T) {
	flows, cals := loadDemo(t)
	env := demoEnv(cals)
	env.Language = "en"
	h := newHarness(t, flows["main"], env)
	expect(t, "start", h.start(), "lang zh", "enter greeting", "play zh/greeting")
}

func TestNoticePlayedWhenPresent(t *testing.T) {
	flows, cals := loadDemo(t)
	env := demoEnv(cals)
	env.Notice = func() []ivr.PromptRef { return []ivr.PromptRef{{Name: "storm_notice"}, {Lang: "en", Name: "storm_en"}} }
	h := newHarness(t, flows["main"], env)
	h.start()
	expect(t, "greeting done", h.done(), "enter notice", "play zh/storm_notice en/storm_en")
	expect(t, "digit during notice", h.keys("1"))
	expect(t, "notice done", h.done(), "enter hours", "enter main_menu", "play! zh/main_menu")
}

func TestHoursFollowCalendarZone(t *testing.T) {
	// The clock is in UTC; the office keeps Shanghai hours (UTC+8).
	cases := []struct {
		name, now string
		open      bool
	}{
		{"wed 17:59 open", "2026-03-04T09:59:00Z", true},
		{"wed 18:00 closed", "2026-03-04T10:00:00Z", false},
		{"wed 07:59 closed (utc still tuesday)", "2026-03-03T23:59:00Z", false},
		{"wed 08:00 open (utc midnight)", "2026-03-04T00:00:00Z", true},
		{"sat 11:59 open", "2026-03-07T03:59:00Z", true},
		{"sat 12:00 closed", "2026-03-07T04:00:00Z", false},
		{"sun closed", "2026-03-08T02:00:00Z", false},
		{"holiday thu 10:00 closed", "2026-10-01T02:00:00Z", false},
		{"day before holiday open", "2026-09-30T02:00:00Z", true},
	}
	flows, cals := loadDemo(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := demoEnv(cals)
			env.Clock = &fakeClock{now: ivrtest.UTC(c.now)}
			h := newHarness(t, flows["main"], env)
			h.start()
			got := h.done()
			if c.open {
				expect(t, "open", got, "enter notice", "enter hours", "enter main_menu", "play! zh/main_menu")
				return
			}
			expect(t, "closed", got, "enter notice", "enter hours", "enter after_hours", "play zh/after_hours")
			expect(t, "after-hours message done", h.done(), "hangup completed")
		})
	}
}

func TestMenuValidKeyBargesIn(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "press 1 during prompt", h.keys("1"), "stop", "enter outage", "play! zh/outage_info")
}

func TestMenuInvalidKeysThenDefaultFailure(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "prompt done", h.done(), "timer 5s")
	expect(t, "first wrong key", h.keys("7"), "play! zh/invalid_option zh/main_menu")
	expect(t, "second wrong key barges in", h.keys("8"), "stop", "play! zh/invalid_option zh/main_menu")
	// retries: 2 — the third wrong key fails the menu; with no on_fail the
	// flow says goodbye and hangs up only after the goodbye has played.
	expect(t, "third wrong key", h.keys("6"), "stop", "play zh/cannot_hear")
	expect(t, "key during goodbye", h.keys("1"))
	expect(t, "goodbye done", h.done(), "hangup retries")
	if !h.s.Done() {
		t.Fatal("session should be done")
	}
	expect(t, "after hangup", h.keys("1"))
}

func TestMenuFailureGoesToOnFail(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "to language menu", h.keys("9"), "stop", "enter language_menu", "play! zh/lang_zh en/lang_en ko/lang_ko")
	h.done()
	for i := range 3 {
		expect(t, "wrong key", h.keys("5"), "play! zh/lang_zh en/lang_en ko/lang_ko")
		if i < 2 {
			h.done()
		}
	}
	expect(t, "fourth wrong key", h.keys("5"), "stop", "enter main_menu", "play! zh/main_menu")
}

func TestMenuWithoutBargeInWaitsForPrompt(t *testing.T) {
	h := atMainMenu(t)
	h.keys("1")
	expect(t, "outage info done", h.done(), "enter outage_menu", "play zh/outage_menu")
	expect(t, "key during prompt ignored", h.keys("1"))
	expect(t, "prompt done", h.done(), "timer 5s")
	expect(t, "key after prompt", h.keys("1"), "enter goodbye", "play zh/goodbye")
	expect(t, "goodbye done", h.done(), "hangup completed self-service")
}

func TestPlayBargeInSkipsToNext(t *testing.T) {
	h := atMainMenu(t)
	h.keys("1")
	expect(t, "key during outage info", h.keys("5"), "stop", "enter outage_menu", "play zh/outage_menu")
}

func TestGotoReturnsToMenu(t *testing.T) {
	h := atMainMenu(t)
	h.keys("1")
	h.done()
	h.done()
	expect(t, "star", h.keys("*"), "enter back_to_menu", "enter main_menu", "play! zh/main_menu")
}

func TestSilenceRepromptThenGoodbye(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "prompt done", h.done(), "timer 5s")
	expect(t, "stale timer", h.send(TimerFired{ID: h.lastTimer + 7}))
	expect(t, "silence", h.fire(), "play! zh/hello_help zh/main_menu")
	expect(t, "reprompt done", h.done(), "timer 5s")
	expect(t, "silence again", h.fire(), "play zh/cannot_hear")
	expect(t, "goodbye done", h.done(), "hangup silence")
}

func TestKeyPressMakesTimerStale(t *testing.T) {
	h := atMainMenu(t)
	h.done()
	old := h.lastTimer
	expect(t, "wrong key", h.keys("7"), "play! zh/invalid_option zh/main_menu")
	expect(t, "old timer", h.send(TimerFired{ID: old}))
	expect(t, "prompt done", h.done(), "timer 5s")
	if h.lastTimer == old {
		t.Fatal("a new timer should get a new ID")
	}
}

func TestLanguageSwitchChangesBarePrompts(t *testing.T) {
	h := atMainMenu(t)
	h.keys("9")
	expect(t, "choose english", h.keys("2"), "stop", "enter set_en", "lang en", "enter main_menu", "play! en/main_menu")
	if h.s.Language() != "en" {
		t.Fatalf("language %q, want en", h.s.Language())
	}
	h.done()
	expect(t, "silence in english", h.fire(), "play! en/hello_help en/main_menu")
}

func TestCollectConfirmWithReadBack(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "to account", h.keys("2"), "stop", "enter account", "play! zh/enter_account")
	expect(t, "prompt done", h.done(), "timer 5s")
	expect(t, "first digits", h.keys("12"), "timer 3s", "timer 3s")
	got := h.keys("34567890") // the tenth digit reaches max and ends input
	expect(t, "max length", got[len(got)-1:],
		"play! zh/you_entered zh/digit_1 zh/digit_2 zh/digit_3 zh/digit_4 zh/digit_5 zh/digit_6 zh/digit_7 zh/digit_8 zh/digit_9 zh/digit_0 zh/confirm_reenter")
	expect(t, "confirm by barge-in", h.keys("1"), "stop", "enter billing_queue", "queue billing 1")
	if v := h.s.Vars()["account"]; v != "1234567890" {
		t.Fatalf("account = %q", v)
	}
	if !h.s.Done() {
		t.Fatal("queue hand-off should end the session")
	}
}

func TestCollectReenter(t *testing.T) {
	h := atMainMenu(t)
	h.keys("2")
	h.keys("1111111111")
	h.done()
	expect(t, "re-enter", h.keys("2"), "play! zh/enter_account")
	h.keys("2222222222")
	expect(t, "confirm silence reprompts the read-back", h.done(), "timer 5s")
	got := h.fire()
	if len(got) != 1 || got[0] != "play! zh/hello_help zh/you_entered "+repeat("zh/digit_2 ", 10)+"zh/confirm_reenter" {
		t.Fatalf("silence at confirm: %q", got)
	}
	expect(t, "other key at confirm", h.keys("3"), "stop", "play! zh/you_entered "+repeat("zh/digit_2 ", 10)+"zh/confirm_reenter")
	h.keys("1")
	if v := h.s.Vars()["account"]; v != "2222222222" {
		t.Fatalf("account = %q, want the re-entered number", v)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestCollectTerminatorTooShort(t *testing.T) {
	h := atMainMenu(t)
	h.keys("2")
	h.done()
	expect(t, "short entry", h.keys("12345#"), "timer 3s", "timer 3s", "timer 3s", "timer 3s", "timer 3s",
		"play! zh/invalid_account zh/enter_account")
}

func TestCollectInterDigitTimeout(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "to complaints", h.keys("3"), "stop", "enter complaints", "play! zh/enter_callback")
	expect(t, "prompt done uses first-digit timeout", h.done(), "timer 8s")
	h.keys("234")
	expect(t, "too short at timeout", h.fire(), "play! zh/invalid_number zh/enter_callback")
	h.done()
	h.keys("2345678")
	expect(t, "long enough at timeout", h.fire(), "enter complaints_queue", "queue complaints 0")
	if v := h.s.Vars()["callback"]; v != "2345678" {
		t.Fatalf("callback = %q", v)
	}
}

func TestCollectPatternAndRetriesExhausted(t *testing.T) {
	h := atMainMenu(t)
	h.keys("3")
	h.done()
	expect(t, "pattern fails", h.keys("0234567#")[7:], "play! zh/invalid_number zh/enter_callback")
	// retries: 1 and no on_fail: the second wrong entry says goodbye.
	expect(t, "star is not a digit", h.keys("*"), "stop", "play zh/cannot_hear")
	expect(t, "goodbye done", h.done(), "hangup retries")
}

func TestCollectFirstDigitSilence(t *testing.T) {
	h := atMainMenu(t)
	h.keys("3")
	h.done()
	expect(t, "silence", h.fire(), "play! zh/hello_help zh/enter_callback")
}

func TestQueueHandOff(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "agent", h.keys("0"), "stop", "enter agent", "queue general 0")
	if !h.s.Done() {
		t.Fatal("session should be done")
	}
	expect(t, "events after hand-off", h.done())
	want := []string{"greeting", "notice", "hours", "main_menu", "agent"}
	if !slices.Equal(h.s.Path(), want) {
		t.Fatalf("path %v, want %v", h.s.Path(), want)
	}
}

func TestCallerHangupEndsSession(t *testing.T) {
	h := atMainMenu(t)
	expect(t, "caller hangs up", h.send(CallerHangup{}))
	if !h.s.Done() {
		t.Fatal("session should be done")
	}
	expect(t, "late playback end", h.done())
}

func TestAccessorsReturnCopies(t *testing.T) {
	h := atMainMenu(t)
	h.keys("2")
	h.keys("1234567890")
	h.keys("1")
	vars, path := h.s.Vars(), h.s.Path()
	vars["account"] = "changed"
	path[0] = "changed"
	if !maps.Equal(h.s.Vars(), map[string]string{"account": "1234567890"}) || h.s.Path()[0] != "greeting" {
		t.Fatal("accessors must not expose session state")
	}
}

func TestGotoLoopIsCut(t *testing.T) {
	src := `
flows:
  loop:
    start: a
    nodes:
      a: {type: goto, next: b}
      b: {type: language, language: en, next: a}
`
	flows, _, err := ivrtest.ParseConfig(t, "loop.yaml", src, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["loop"], Env{Language: "zh"})
	got := h.start()
	if got[len(got)-1] != "hangup loop" {
		t.Fatalf("last action %q, want hangup loop", got[len(got)-1])
	}
	if n := len(h.s.Path()); n != MaxHops {
		t.Fatalf("visited %d nodes, want %d", n, MaxHops)
	}
}

func TestHangupNodeWithoutPromptsIsImmediate(t *testing.T) {
	src := `
flows:
  bye:
    start: end
    nodes:
      end: {type: hangup, self_service: true}
`
	flows, _, err := ivrtest.ParseConfig(t, "bye.yaml", src, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, flows["bye"], Env{Language: "zh"})
	expect(t, "start", h.start(), "enter end", "hangup completed self-service")
}

func TestMissingCalendarAtRunTimeHangsUp(t *testing.T) {
	flows, _ := loadDemo(t)
	h := newHarness(t, flows["main"], Env{Language: "zh"})
	h.start()
	expect(t, "greeting done", h.done(), "enter notice", "enter hours", "hangup broken flow")
}
