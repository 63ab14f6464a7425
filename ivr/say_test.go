package ivr_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/ivr"
)

func names(refs []ivr.PromptRef) string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = strings.TrimPrefix(r.Name, "num_")
	}
	return strings.Join(out, " ")
}

func TestNumberPerLanguage(t *testing.T) {
	cases := []struct {
		lang string
		n    int64
		want string
	}{
		// Mandarin: 一万二千三百四十五; a leading ten drops its "one",
		// an inner gap says 零 once.
		{"zh", 0, "0"},
		{"zh", 7, "7"},
		{"zh", 10, "10"},
		{"zh", 12, "10 2"},
		{"zh", 20, "2 10"},
		{"zh", 110, "1 100 1 10"},
		{"zh", 1005, "1 1000 0 5"},
		{"zh", 1050, "1 1000 0 5 10"},
		{"zh", 12345, "1 10000 2 1000 3 100 4 10 5"},
		{"zh", 100000, "10 10000"},
		{"zh", 100010, "10 10000 0 1 10"},
		{"zh", 20000, "2 10000"},
		{"zh", 10200, "1 10000 0 2 100"},
		{"zh", 99999999, "9 1000 9 100 9 10 9 10000 9 1000 9 100 9 10 9"},
		// Korean: no "one" before a unit, no word for gaps.
		{"ko", 0, "0"},
		{"ko", 11, "10 1"},
		{"ko", 1005, "1000 5"},
		{"ko", 10000, "10000"},
		{"ko", 12345, "10000 2 1000 3 100 4 10 5"},
		{"ko", 110000, "10 1 10000"},
		// English.
		{"en", 0, "0"},
		{"en", 13, "13"},
		{"en", 40, "40"},
		{"en", 45, "40 5"},
		{"en", 100, "1 100"},
		{"en", 101, "1 100 1"},
		{"en", 12345, "12 1000 3 100 40 5"},
		{"en", 1000000, "1 1000000"},
		{"en", 20_000_019, "20 1000000 19"},
		// A language without rules reads digits.
		{"fr", 105, "digit_1 digit_0 digit_5"},
	}
	for _, c := range cases {
		got, err := ivr.Number(c.lang, c.n)
		if err != nil {
			t.Fatalf("%s %d: %v", c.lang, c.n, err)
		}
		if names(got) != c.want {
			t.Errorf("%s %d = %q, want %q", c.lang, c.n, names(got), c.want)
		}
		for _, r := range got {
			if r.Lang != c.lang {
				t.Errorf("%s %d: prompt %v not fixed to the language", c.lang, c.n, r)
			}
		}
	}
}

// Every prompt a number may need is in SayPromptNames, so checking that
// list at start-up is enough.
func TestNumberUsesOnlyListedPrompts(t *testing.T) {
	for _, lang := range []string{"zh", "en", "ko", "fr"} {
		listed := map[string]bool{}
		for _, n := range ivr.SayPromptNames(lang) {
			listed[n] = true
		}
		for n := int64(0); n <= ivr.MaxSayNumber; n = n*3 + 7 {
			refs, err := ivr.Number(lang, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range refs {
				if !listed[r.Name] {
					t.Fatalf("%s %d uses unlisted prompt %s", lang, n, r.Name)
				}
			}
		}
	}
}

func TestNumberRejectsOutOfRange(t *testing.T) {
	for _, n := range []int64{-1, ivr.MaxSayNumber + 1} {
		if _, err := ivr.Number("zh", n); err == nil {
			t.Errorf("Number(%d) accepted", n)
		}
	}
	if _, err := ivr.Amount("en", -5); err == nil {
		t.Error("negative amount accepted")
	}
	if _, err := ivr.Date("en", 13, 1); err == nil {
		t.Error("month 13 accepted")
	}
	if _, err := ivr.Date("en", 2, 0); err == nil {
		t.Error("day 0 accepted")
	}
}

func TestAmountAndDate(t *testing.T) {
	cases := []struct {
		lang  string
		cents int64
		want  string
	}{
		{"zh", 12345, "1 100 2 10 3 currency_major 4 10 5 currency_minor"},
		{"en", 12300, "1 100 20 3 currency_major"},
		{"en", 5, "5 currency_minor"},
		{"en", 0, "0 currency_major"},
	}
	for _, c := range cases {
		got, err := ivr.Amount(c.lang, c.cents)
		if err != nil {
			t.Fatal(err)
		}
		if names(got) != c.want {
			t.Errorf("%s amount %d = %q, want %q", c.lang, c.cents, names(got), c.want)
		}
	}
	d, err := ivr.Date("ko", 12, 5)
	if err != nil || names(d) != "month_12 day_5" || d[0].Lang != "ko" {
		t.Errorf("date = %v, %v", d, err)
	}
}
