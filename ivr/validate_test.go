package ivr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

const calendarsYAML = `
calendars:
  office:
    timezone: Asia/Shanghai
    hours: {mon-fri: "08:00-18:00"}
`

// oneFlow wraps node lines (indented six spaces) into a flow starting at a.
func oneFlow(nodes string) string {
	return calendarsYAML + "flows:\n  main:\n    start: a\n    nodes:\n" + nodes
}

func testValidator(missing ...string) ivr.Validator {
	if missing == nil {
		missing = []string{"en/only_zh", "en/digit_7"}
	}
	return ivr.Validator{
		Languages: []string{"zh", "en"},
		HasPrompt: func(lang, name string) bool {
			for _, m := range missing {
				if m == lang+"/"+name {
					return false
				}
			}
			return true
		},
		HasQueue: func(q string) bool { return q == "general" },
	}
}

// markedLine is the 1-based line of src carrying the "# ERR" marker.
func markedLine(t *testing.T, src string) int {
	t.Helper()
	for i, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "# ERR") {
			return i + 1
		}
	}
	t.Fatal("test source has no # ERR marker")
	return 0
}

// validationCases each hold one mistake on the line marked "# ERR".
var validationCases = []struct {
	name, src, want string
	missing         []string
}{
	{name: "unknown next", want: `flow main: node a: next: unknown node "nowhere"`,
		src: oneFlow("      a: {type: goto, next: nowhere} # ERR\n")},
	{name: "unknown option target", want: `option 1: unknown node "nowhere"`,
		src: oneFlow(`      a: {type: menu, prompts: [p], options: {"1": nowhere}} # ERR` + "\n")},
	{name: "unknown closed target", want: `closed: unknown node "nowhere"`,
		src: oneFlow("      a: {type: hours, calendar: office, open: b, closed: nowhere} # ERR\n      b: {type: hangup}\n")},
	{name: "unknown on_fail target", want: `on_fail: unknown node "nowhere"`,
		src: oneFlow(`      a: {type: menu, prompts: [p], options: {"1": a}, on_fail: nowhere} # ERR` + "\n")},
	{name: "unknown start", want: `flow main: start: unknown node "nowhere"`,
		src: "flows:\n  main:\n    start: nowhere # ERR\n    nodes:\n      a: {type: hangup}\n"},
	{name: "bare prompt missing in a language", want: `prompts: prompt "only_zh" has no recording for language en`,
		src: oneFlow("      a: {type: play, prompts: [only_zh], next: b} # ERR\n      b: {type: hangup}\n")},
	{name: "fixed-language prompt missing", want: `prompt "en/only_zh" has no recording`,
		src: oneFlow("      a: {type: play, prompts: [zh/only_zh, en/only_zh], next: b} # ERR\n      b: {type: hangup}\n")},
	{name: "read-back digit prompt missing", want: `confirm: read-back needs prompts with no recording: digit_7 (en)`,
		src: oneFlow("      a:\n        type: collect\n        prompts: [p]\n        var: v\n        confirm: true # ERR\n        next: a\n")},
	{name: "silence default prompt missing", want: `flow main: silence goodbye (default): prompt "cannot_hear" has no recording for language en`,
		missing: []string{"en/cannot_hear"},
		src:     calendarsYAML + "flows:\n  main: # ERR\n    start: a\n    nodes:\n      a: {type: menu, prompts: [p], options: {\"1\": a}}\n"},
	{name: "unreachable node", want: `node b: unreachable from start node "a"`,
		src: oneFlow("      a: {type: hangup}\n      b: {type: hangup} # ERR\n")},
	{name: "digit used twice", want: `digit "1" used twice (first at line`,
		src: oneFlow("      a:\n        type: menu\n        prompts: [p]\n        options:\n          \"1\": a\n          1: a # ERR\n")},
	{name: "node defined twice", want: `node "a" used twice`,
		src: oneFlow("      a: {type: hangup}\n      a: {type: hangup} # ERR\n")},
	{name: "bad duration", want: `silence: timeout: bad duration "5"`,
		src: "flows:\n  main:\n    start: a\n    silence: {timeout: 5} # ERR\n    nodes:\n      a: {type: hangup}\n"},
	{name: "bad regexp", want: `pattern: bad regexp`,
		src: oneFlow("      a:\n        type: collect\n        prompts: [p]\n        var: v\n        pattern: '[0-9' # ERR\n        next: a\n")},
	{name: "min greater than max", want: `min 5 is greater than max 3`,
		src: oneFlow("      a:\n        type: collect\n        prompts: [p]\n        var: v\n        min: 5 # ERR\n        max: 3\n        next: a\n")},
	{name: "bad terminator", want: `terminator: "x" must be`,
		src: oneFlow("      a: {type: collect, prompts: [p], var: v, terminator: x, next: a} # ERR\n")},
	{name: "unknown node type", want: `unknown node type "menuu"`,
		src: oneFlow("      a: {type: menuu} # ERR\n")},
	{name: "unknown key", want: `unknown key "promtps"`,
		src: oneFlow("      a:\n        type: play\n        promtps: [p] # ERR\n        prompts: [p]\n        next: a\n")},
	{name: "key of another node type", want: `unknown key "options"`,
		src: oneFlow(`      a: {type: play, prompts: [p], next: a, options: {"1": a}} # ERR` + "\n")},
	{name: "missing required key", want: `node a: missing key "next"`,
		src: oneFlow("      a: {type: play, prompts: [p]} # ERR\n")},
	{name: "empty prompt list", want: `prompts: must not be empty`,
		src: oneFlow("      a: {type: play, prompts: [], next: a} # ERR\n")},
	{name: "unknown calendar", want: `calendar: unknown calendar "shop"`,
		src: oneFlow("      a: {type: hours, calendar: shop, open: a, closed: a} # ERR\n")},
	{name: "unknown time zone", want: `calendar office: timezone: unknown time zone "Mars/Olympus"`,
		src: "calendars:\n  office:\n    timezone: Mars/Olympus # ERR\n"},
	{name: "missing time zone", want: `calendar office: missing key "timezone"`,
		src: "calendars:\n  office: # ERR\n    hours: {mon: \"08:00-18:00\"}\n"},
	{name: "bad hours", want: `bad hours "8-18"`,
		src: "calendars:\n  office:\n    timezone: UTC\n    hours:\n      mon-fri: \"8-18\" # ERR\n"},
	{name: "overnight hours", want: `end must be after start`,
		src: "calendars:\n  office:\n    timezone: UTC\n    hours:\n      mon: \"22:00-06:00\" # ERR\n"},
	{name: "bad day name", want: `bad days "mon-fry"`,
		src: "calendars:\n  office:\n    timezone: UTC\n    hours:\n      mon-fry: \"08:00-18:00\" # ERR\n"},
	{name: "day given twice", want: `sat already given at line`,
		src: "calendars:\n  office:\n    timezone: UTC\n    hours:\n      mon-sat: \"08:00-18:00\"\n      sat: \"09:00-12:00\" # ERR\n"},
	{name: "bad holiday", want: `holidays: bad date "2026-13-01"`,
		src: "calendars:\n  office:\n    timezone: UTC\n    holidays: [\"2026-13-01\"] # ERR\n"},
	{name: "unknown flow language", want: `flow main: language: unknown language "fr"`,
		src: "flows:\n  main:\n    start: a\n    language: fr # ERR\n    nodes:\n      a: {type: hangup}\n"},
	{name: "unknown node language", want: `node a: language: unknown language "fr"`,
		src: oneFlow("      a: {type: language, language: fr, next: b} # ERR\n      b: {type: hangup}\n")},
	{name: "unknown prompt language", want: `prompt "fr/hello": unknown language "fr"`,
		src: oneFlow("      a: {type: play, prompts: [fr/hello], next: b} # ERR\n      b: {type: hangup}\n")},
	{name: "unknown queue", want: `queue: unknown queue "billing"`,
		src: oneFlow("      a: {type: queue, queue: billing} # ERR\n")},
	{name: "not a number", want: `retries: "many" is not a whole number`,
		src: oneFlow(`      a: {type: menu, prompts: [p], options: {"1": a}, retries: many} # ERR` + "\n")},
	{name: "not a boolean", want: `barge_in: "yes" is not true or false`,
		src: oneFlow("      a: {type: play, prompts: [p], next: a, barge_in: yes} # ERR\n")},
	{name: "list where a name belongs", want: `next: expected a single value`,
		src: oneFlow("      a: {type: goto, next: [b]} # ERR\n")},
	{name: "mapping where a list belongs", want: `prompts: expected a list`,
		src: oneFlow("      a: {type: play, prompts: {x: y}, next: a} # ERR\n")},
	{name: "bad prompt reference", want: `bad prompt "en/"`,
		src: oneFlow("      a: {type: play, prompts: [en/], next: a} # ERR\n")},
}

func TestValidationErrorsCarryPosition(t *testing.T) {
	for _, c := range validationCases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ivrtest.ParseConfig(t, "hotline.yaml", c.src, testValidator(c.missing...))
			if err == nil {
				t.Fatal("want an error, got none")
			}
			prefix := fmt.Sprintf("hotline.yaml:%d:", markedLine(t, c.src))
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(line, prefix) && strings.Contains(line, c.want) {
					return
				}
			}
			t.Fatalf("want a line starting %q containing %q, got:\n%v", prefix, c.want, err)
		})
	}
}

func TestValidationReportsAllErrorsInFileOrder(t *testing.T) {
	src := oneFlow(`      a: {type: menu, prompts: [p], options: {"1": b, "2": c}}
      b: {type: goto, next: nowhere}
      c: {type: queue, queue: billing}
      d: {type: hangup}
`)
	_, _, err := ivrtest.ParseConfig(t, "hotline.yaml", src, testValidator())
	if err == nil {
		t.Fatal("want errors")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"hotline.yaml:11:", "hotline.yaml:12:", "hotline.yaml:13:"}
	if len(lines) != len(want) {
		t.Fatalf("want %d errors, got:\n%v", len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Fatalf("error %d: want prefix %q, got:\n%v", i, w, err)
		}
	}
}

func TestPosErrorIsInspectable(t *testing.T) {
	src := oneFlow("      a: {type: goto, next: nowhere}\n")
	_, _, err := ivrtest.ParseConfig(t, "hotline.yaml", src, testValidator())
	var pe *ivr.PosError
	if !errors.As(err, &pe) {
		t.Fatalf("want a *PosError, got %T", err)
	}
	if pe.File != "hotline.yaml" || pe.Line != 10 || pe.Col != 29 {
		t.Fatalf("position %s:%d:%d, want hotline.yaml:10:29", pe.File, pe.Line, pe.Col)
	}
}

func TestParseErrorsAreAllReported(t *testing.T) {
	src := oneFlow("      a: {type: play, prompts: [p], next: a, bogus: 1}\n      b: {type: nope}\n")
	_, _, err := ivrtest.ParseConfig(t, "hotline.yaml", src, testValidator())
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want exactly two errors, got:\n%v", err)
	}
}

func TestDemoFlowDefaults(t *testing.T) {
	flows, _ := ivrtest.LoadDemo(t, "testdata/demo_flow.yaml")
	main := flows["main"]
	menu, account := main.Nodes["main_menu"], main.Nodes["account"]
	if !menu.BargeIn || menu.Retries != 2 || menu.OnFail != "" {
		t.Fatalf("main_menu: barge-in %v retries %d on_fail %q", menu.BargeIn, menu.Retries, menu.OnFail)
	}
	if main.Nodes["greeting"].BargeIn {
		t.Fatal("greeting sets barge_in: false")
	}
	if account.Terminator != '#' || account.Min != 10 || account.Max != 10 || !account.Confirm {
		t.Fatalf("account collect parsed wrong: %+v", account)
	}
	complaints := main.Nodes["complaints"]
	if complaints.InterDigitTimeout != ivr.DefaultInterDigitTimeout || complaints.Terminator != ivr.DefaultTerminator {
		t.Fatalf("complaints defaults: %+v", complaints)
	}
	if got := main.Nodes["language_menu"].Prompts[1]; got != (ivr.PromptRef{Lang: "en", Name: "lang_en"}) {
		t.Fatalf("fixed-language prompt parsed as %+v", got)
	}
}

func TestFirstDigitTimeoutDefaultsToSilenceTimeout(t *testing.T) {
	src := "flows:\n  main:\n    start: a\n    silence: {timeout: 7s}\n    nodes:\n      a: {type: collect, prompts: [p], var: v, next: a}\n"
	flows, _, err := ivrtest.ParseConfig(t, "hotline.yaml", src, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	if got := flows["main"].Nodes["a"].FirstDigitTimeout.String(); got != "7s" {
		t.Fatalf("first digit timeout %s, want 7s", got)
	}
}
