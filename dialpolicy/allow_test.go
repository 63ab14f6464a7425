package dialpolicy

import (
	"errors"
	"testing"
)

func TestDefaultAllowListTakesNationalNumbersOnly(t *testing.T) {
	a, err := NewAllowList(DefaultAllowed, DefaultDenied)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		number string
		want   bool
	}{
		{"13800000001", true},   // mobile
		{"19912345678", true},   // mobile, 19x
		{"01062345678", true},   // Beijing, 8 digits
		{"02187654321", true},   // Shanghai
		{"057168123456", true},  // Hangzhou: 0571 and 8 digits starting 6, not a 168 line
		{"08515123456", true},   // three-digit area code, 7 digits
		{"12345678901", false},  // 12x is no mobile range
		{"1380000000", false},   // a digit short
		{"138000000012", false}, // a digit long
		{"0013800000001", false},
		{"00861380000000", false},
		{"+8613800000001", false},
		{"+12125550100", false},
		{"01016812345", false},  // premium information line behind 010
		{"075516012345", false}, // 160 behind 0755
		{"01011012345", false},  // special service behind an area code
		{"95598", false},
		{"110", false},
		{"", false},
		{"1380000000a", false},
	}
	for _, c := range cases {
		if got := a.Allowed(c.number); got != c.want {
			t.Errorf("Allowed(%q) = %v, want %v", c.number, got, c.want)
		}
	}
	var r *Refusal
	if err := a.Check("0013800000001"); !errors.As(err, &r) || r.Reason != NotAllowed {
		t.Errorf("Check(00…) = %v, want a not_allowed refusal", err)
	}
	if err := a.Check("13800000001"); err != nil {
		t.Errorf("Check(mobile) = %v", err)
	}
}

func TestAllowListPatternsMatchWholeNumbers(t *testing.T) {
	a, err := NewAllowList([]string{`1[0-9]{3}`, `\+44[0-9]{10}`}, []string{`\+449[0-9]*`})
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{
		"1234": true, "12345": false, "01234": false,
		"+442071234567": true, "+449001234567": false, "+4420712345678": false,
	} {
		if got := a.Allowed(n); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", n, got, want)
		}
	}
	none, err := NewAllowList(nil, nil)
	if err != nil || none.Allowed("13800000001") {
		t.Errorf("an empty allow-list must allow nothing (err %v)", err)
	}
	var nilList *AllowList
	if nilList.Allowed("13800000001") {
		t.Error("a nil allow-list must allow nothing")
	}
}

func TestAllowListRejectsBadPatterns(t *testing.T) {
	for _, c := range []struct{ allowed, denied []string }{
		{[]string{"1[3-9"}, nil},
		{[]string{""}, nil},
		{nil, []string{"(unclosed"}},
	} {
		if _, err := NewAllowList(c.allowed, c.denied); err == nil {
			t.Errorf("NewAllowList(%q, %q) accepted a bad pattern", c.allowed, c.denied)
		}
	}
}
