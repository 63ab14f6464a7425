package ivr

import (
	"fmt"
	"strconv"
)

// This file composes spoken numbers, amounts and dates from short
// recordings, so that a balance of 123.45 needs no recording of its own.
// Each language has its own rules and its own set of number prompts
// (num_*); SayPromptNames lists them so a configuration can be checked
// before the first call needs one.

// MaxSayNumber is the largest number Number can speak in every language.
const MaxSayNumber = 99_999_999

// Prompt names around composed amounts and dates.
const (
	PromptCurrencyMajor = "currency_major" // yuan
	PromptCurrencyMinor = "currency_minor" // fen
)

// Number returns the prompts that speak n (0 ≤ n ≤ MaxSayNumber) in lang.
// Languages without number rules read the digits one by one.
func Number(lang string, n int64) ([]PromptRef, error) {
	if n < 0 || n > MaxSayNumber {
		return nil, fmt.Errorf("ivr: say number %d: out of range 0..%d", n, MaxSayNumber)
	}
	var names []string
	switch lang {
	case "zh":
		names = sinoNumber(n, true)
	case "ko":
		names = sinoNumber(n, false)
	case "en":
		names = englishNumber(n)
	default:
		for _, d := range strconv.FormatInt(n, 10) {
			names = append(names, DigitPromptName(d))
		}
	}
	return refs(lang, names), nil
}

// Amount speaks cents as "<major> yuan <minor> fen"; the minor part is left
// out when it is zero, the major part when the amount is under one yuan.
func Amount(lang string, cents int64) ([]PromptRef, error) {
	if cents < 0 {
		return nil, fmt.Errorf("ivr: say amount %d: negative", cents)
	}
	major, minor := cents/100, cents%100
	var out []PromptRef
	if major > 0 || minor == 0 {
		m, err := Number(lang, major)
		if err != nil {
			return nil, fmt.Errorf("ivr: say amount %d: %w", cents, err)
		}
		out = append(append(out, m...), PromptRef{Lang: lang, Name: PromptCurrencyMajor})
	}
	if minor > 0 {
		m, _ := Number(lang, minor) // 1..99 is always in range
		out = append(append(out, m...), PromptRef{Lang: lang, Name: PromptCurrencyMinor})
	}
	return out, nil
}

// Date speaks a calendar day as month and day of month ("December fifth",
// "十二月五日"): callers need the day, and the year is nearly always clear.
func Date(lang string, month, day int) ([]PromptRef, error) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return nil, fmt.Errorf("ivr: say date %d-%d: no such month or day", month, day)
	}
	return []PromptRef{
		{Lang: lang, Name: "month_" + strconv.Itoa(month)},
		{Lang: lang, Name: "day_" + strconv.Itoa(day)},
	}, nil
}

// SayPromptNames lists every recording Number, Amount and Date may use in
// lang.
func SayPromptNames(lang string) []string {
	var names []string
	switch lang {
	case "zh", "ko":
		for d := 0; d <= 9; d++ {
			names = append(names, numName(int64(d)))
		}
		names = append(names, "num_10", "num_100", "num_1000", "num_10000")
	case "en":
		for d := 0; d <= 19; d++ {
			names = append(names, numName(int64(d)))
		}
		for t := 20; t <= 90; t += 10 {
			names = append(names, numName(int64(t)))
		}
		names = append(names, "num_100", "num_1000", "num_1000000")
	default:
		for d := '0'; d <= '9'; d++ {
			names = append(names, DigitPromptName(d))
		}
	}
	names = append(names, PromptCurrencyMajor, PromptCurrencyMinor)
	for m := 1; m <= 12; m++ {
		names = append(names, "month_"+strconv.Itoa(m))
	}
	for d := 1; d <= 31; d++ {
		names = append(names, "day_"+strconv.Itoa(d))
	}
	return names
}

func numName(n int64) string { return "num_" + strconv.FormatInt(n, 10) }

func refs(lang string, names []string) []PromptRef {
	out := make([]PromptRef, len(names))
	for i, n := range names {
		out[i] = PromptRef{Lang: lang, Name: n}
	}
	return out
}

// sinoNumber follows the Chinese number system shared by Mandarin and
// Sino-Korean: groups of four digits joined by "ten thousand", each group
// read with ten, hundred and thousand. Mandarin says "zero" once for a gap
// inside a number (1005 = 一千零五) and "one" before every unit except a
// leading ten (12 = 十二); Korean skips gaps silently and never says "one"
// before a unit (10000 = 만).
func sinoNumber(n int64, zh bool) []string {
	if n == 0 {
		return []string{numName(0)}
	}
	high, low := n/10000, n%10000
	var out []string
	if high > 0 {
		if high > 1 || zh {
			out = append(out, sinoGroup(high, zh, true)...)
		}
		out = append(out, "num_10000")
		if low == 0 {
			return out
		}
		if zh && low < 1000 {
			out = append(out, numName(0))
		}
	}
	return append(out, sinoGroup(low, zh, high == 0)...)
}

// sinoGroup reads 1..9999; leading says whether the group starts the
// number (only then does Mandarin drop the "one" of a leading ten).
func sinoGroup(n int64, zh, leading bool) []string {
	var out []string
	units := []struct {
		value int64
		name  string
	}{{1000, "num_1000"}, {100, "num_100"}, {10, "num_10"}, {1, ""}}
	gap := false
	for _, u := range units {
		d := (n / u.value) % 10
		if d == 0 {
			gap = gap || len(out) > 0
			continue
		}
		if gap && zh {
			out = append(out, numName(0))
		}
		gap = false
		first := len(out) == 0
		switch {
		case u.value == 1:
			out = append(out, numName(d))
		case d == 1 && !zh:
		case d == 1 && u.value == 10 && first && leading:
		default:
			out = append(out, numName(d))
		}
		if u.name != "" {
			out = append(out, u.name)
		}
	}
	return out
}

// englishNumber reads n the way a US speaker does without "and":
// 12345 = twelve thousand three hundred forty five.
func englishNumber(n int64) []string {
	if n == 0 {
		return []string{numName(0)}
	}
	var out []string
	if m := n / 1_000_000; m > 0 {
		out = append(append(out, englishHundreds(m)...), "num_1000000")
	}
	if t := (n / 1000) % 1000; t > 0 {
		out = append(append(out, englishHundreds(t)...), "num_1000")
	}
	if r := n % 1000; r > 0 {
		out = append(out, englishHundreds(r)...)
	}
	return out
}

// englishHundreds reads 1..999.
func englishHundreds(n int64) []string {
	var out []string
	if h := n / 100; h > 0 {
		out = append(out, numName(h), "num_100")
	}
	switch r := n % 100; {
	case r == 0:
	case r < 20:
		out = append(out, numName(r))
	default:
		out = append(out, numName(r/10*10))
		if r%10 > 0 {
			out = append(out, numName(r%10))
		}
	}
	return out
}

// DigitPromptName names the recording that speaks one key.
func DigitPromptName(d rune) string {
	switch d {
	case '*':
		return "star"
	case '#':
		return "hash"
	}
	return "digit_" + string(d)
}
