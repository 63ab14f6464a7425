package trunk

import "strings"

// Format is the form a rule puts a number in.
type Format string

// The formats of a number.
const (
	// Keep leaves the number as it is (after Strip, before Add).
	Keep Format = "keep"
	// E164 writes +CC followed by the national significant number.
	E164 Format = "e164"
	// National writes the national prefix followed by the national
	// significant number for numbers of the trunk's country, and the
	// international prefix followed by the full number for others.
	National Format = "national"
)

// minSubscriber is the shortest number rewritten into E.164 or national
// form: shorter numbers are service codes (95598, 110), which have no
// international form and pass as they are.
const minSubscriber = 7

// Rule rewrites one kind of number: Strip comes off the front when it is
// there, the number is put in Format, then Add goes in front.
type Rule struct {
	Format Format
	Strip  string
	Add    string
}

// Numbering is a trunk's numbering plan.
type Numbering struct {
	CountryCode         string // "86"
	NationalPrefix      string // "0"
	InternationalPrefix string // "00"
}

// Apply rewrites number by rule. A number with anything but digits after
// an optional + passes unchanged (SIP user names, feature codes with *).
func (n Numbering) Apply(r Rule, number string) string {
	if number == "" {
		return ""
	}
	if r.Strip != "" {
		number = strings.TrimPrefix(number, r.Strip)
	}
	switch r.Format {
	case E164:
		number = n.e164(number)
	case National:
		number = n.national(number)
	}
	if r.Add != "" && number != "" {
		number = r.Add + number
	}
	return number
}

// e164 turns a national or international number into +CC....
func (n Numbering) e164(number string) string {
	if !allDigits(strings.TrimPrefix(number, "+")) || n.CountryCode == "" {
		return number
	}
	switch {
	case strings.HasPrefix(number, "+"):
		return number
	case len(number) < minSubscriber:
		return number
	case n.InternationalPrefix != "" && strings.HasPrefix(number, n.InternationalPrefix):
		return "+" + strings.TrimPrefix(number, n.InternationalPrefix)
	case n.NationalPrefix != "" && strings.HasPrefix(number, n.NationalPrefix):
		return "+" + n.CountryCode + strings.TrimPrefix(number, n.NationalPrefix)
	}
	// A national significant number without prefix (mobile numbers in
	// many plans).
	return "+" + n.CountryCode + number
}

// national turns a +CC... number into the trunk's national form.
func (n Numbering) national(number string) string {
	rest, ok := strings.CutPrefix(number, "+")
	if !ok || !allDigits(rest) || n.CountryCode == "" {
		return number
	}
	if nsn, home := strings.CutPrefix(rest, n.CountryCode); home {
		return n.NationalPrefix + nsn
	}
	return n.InternationalPrefix + rest
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
