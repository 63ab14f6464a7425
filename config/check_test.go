package config

import (
	"errors"
	"strings"
	"testing"
)

// One type error does not hide the rest: unknown keys, values of the wrong
// type and failed checks are all reported, each at its own key.
func TestCheckReportsEveryProblemAtItsKey(t *testing.T) {
	const file = "numbers: {\"1\": main}\n" +
		"sip:\n" +
		"  listen: 127.0.0.1:5060\n" +
		"  max_call: 3\n" +
		"  security:\n" +
		"    ban_for: -15m\n" +
		"rtp:\n" +
		"  inactivity_timeout: soon\n" +
		"shutdown_grace: 30\n" +
		"log: {mask_numbers: perhaps}\n"
	cfg, err := Check("f.yaml", []byte(file))
	if cfg == nil || cfg.SIP.Listen != "127.0.0.1:5060" {
		t.Fatalf("Check returned no usable configuration: %+v", cfg)
	}
	want := []string{
		`f.yaml:4:3: config.sip: unknown key "max_call"`,
		"f.yaml:6:5: sip.security.ban_for must be positive",
		`f.yaml:8:23: rtp.inactivity_timeout: "soon" is not a duration`,
		`f.yaml:9:17: shutdown_grace: "30" is not a duration`,
		`f.yaml:10:21: log.mask_numbers: "perhaps" is not true or false`,
	}
	problems := Problems(err)
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(problems), len(want), err)
	}
	for i, w := range want {
		if i >= len(problems) || !strings.HasPrefix(problems[i].Error(), w) {
			t.Errorf("problem %d: %v, want it to start with %q", i+1, problems[i], w)
		}
	}
	if cfg, err := Parse("f.yaml", []byte(file)); cfg != nil || err == nil {
		t.Errorf("Parse accepted a broken file: %v", err)
	}
}

// A check whose message starts with a nested key points at that key's line,
// not at the first line of its section.
func TestErrorfPointsAtTheNamedKey(t *testing.T) {
	cfg, err := Check("f.yaml", []byte("numbers: {\"1\": main}\nsip:\n  listen: 127.0.0.1:5060\n  security:\n    failure_window: 0s\n"))
	var pe *PosError
	if cfg == nil || !errors.As(err, &pe) || pe.Line != 5 || pe.Col != 5 {
		t.Fatalf("got %v, want sip.security.failure_window at 5:5", err)
	}
	for _, tc := range []struct{ key, msg, at string }{
		{"sip", "sip.listen x", "3:3"},
		{"sip", "sip.security.ban_for must be positive", "4:3"}, // not written: its section
		{"sip", "something else", "3:3"},
		{"numbers", "numbers: bad", "1:10"},
	} {
		if got := cfg.Errorf(tc.key, "%s", tc.msg).Error(); !strings.HasPrefix(got, "f.yaml:"+tc.at+": ") {
			t.Errorf("%s %q: %s, want at %s", tc.key, tc.msg, got, tc.at)
		}
	}
}

func TestProblemsFlattensDropsRepeatsAndSorts(t *testing.T) {
	a := &PosError{File: "f.yaml", Line: 9, Col: 1, Msg: "late"}
	b := &PosError{File: "f.yaml", Line: 2, Col: 5, Msg: "early"}
	other := errors.New("f.yaml:5:3: from another package")
	loose := errors.New("no position")
	got := Problems(errors.Join(loose, errors.Join(a, b), other, &PosError{File: "f.yaml", Line: 9, Col: 1, Msg: "late"}))
	want := []string{"f.yaml:2:5: early", "f.yaml:5:3: from another package", "f.yaml:9:1: late", "no position"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].Error() != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
}
