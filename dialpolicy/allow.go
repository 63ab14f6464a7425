package dialpolicy

import (
	"fmt"
	"regexp"
)

// Patterns of the mainland China national numbering plan, the default
// allow-list of the shipped (zh) configuration. Each must match the whole
// number as dialled.
var (
	// DefaultAllowed: mobiles (1[3-9] and nine digits) and fixed lines
	// with their trunk 0, an area code (10 and 2x have two digits, the
	// others three) and 7 or 8 digits. No 00 (international), no + at all.
	DefaultAllowed = []string{`1[3-9][0-9]{9}`, `0(?:10|2[0-9]|[3-9][0-9]{2})[0-9]{7,8}`}
	// DefaultDenied takes out what the fixed-line pattern would let
	// through: numbers behind an area code that start with 1 are special
	// services, among them the premium-rate information lines (160, 168).
	DefaultDenied = []string{`0(?:10|2[0-9]|[3-9][0-9]{2})1[0-9]*`}
)

// AllowList says whether a number may be dialled back.
type AllowList struct {
	allowed, denied []*regexp.Regexp
}

// NewAllowList compiles the patterns; each is anchored to match the whole
// number. A number passes when it matches an allowed pattern and no
// denied one. An empty allowed list allows nothing.
func NewAllowList(allowed, denied []string) (*AllowList, error) {
	a := &AllowList{}
	var err error
	if a.allowed, err = compileAll("allowed_numbers", allowed); err != nil {
		return nil, err
	}
	if a.denied, err = compileAll("denied_numbers", denied); err != nil {
		return nil, err
	}
	return a, nil
}

func compileAll(what string, patterns []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for i, p := range patterns {
		if p == "" {
			return nil, fmt.Errorf("%s[%d]: empty pattern", what, i)
		}
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%s[%d] %q: %w", what, i, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// Allowed reports whether number may be called back.
func (a *AllowList) Allowed(number string) bool {
	if a == nil || number == "" {
		return false
	}
	for _, re := range a.denied {
		if re.MatchString(number) {
			return false
		}
	}
	for _, re := range a.allowed {
		if re.MatchString(number) {
			return true
		}
	}
	return false
}

// Check returns a NotAllowed refusal for a number that may not be dialled.
func (a *AllowList) Check(number string) error {
	if !a.Allowed(number) {
		return refuse(NotAllowed, "")
	}
	return nil
}
