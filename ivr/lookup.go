package ivr

import (
	"strconv"
	"time"
)

// This file holds the lookup node, which asks an outside service about the
// caller's account, and the say_account node, which speaks the answer. The
// interpreter only emits a Lookup action and waits for a LookupResult event
// (or its own timer); the driver does the network work.

// Self-service node types (see also record.go and notices.go).
const (
	TypeLookup  NodeType = "lookup"      // ask a service about an account
	TypeSayAcct NodeType = "say_account" // speak what a lookup found
)

// DefaultLookupTimeout bounds how long a lookup node waits for its result
// when the flow does not say; the service client has its own, shorter
// per-attempt timeout and retries inside this budget.
const DefaultLookupTimeout = 8 * time.Second

// Variables a successful lookup may set, for later nodes, notices and the
// agent panel. Amounts are integer cents; dates are YYYY-MM-DD.
const (
	VarArea         = "area"
	VarNameMasked   = "name_masked"
	VarBalanceCents = "balance_cents"
	VarArrearsCents = "arrears_cents"
	VarDueDate      = "due_date"
	VarOutageStart  = "outage_start"
	VarOutageEnd    = "outage_end"
)

// Prompts say_account composes around numbers and dates.
const (
	PromptBalanceIs = "account_balance_is"
	PromptArrearsIs = "account_arrears_is"
	PromptDueOn     = "account_due_on"
	PromptOutageOn  = "account_outage_on"
)

// AccountSpeech composes the account summary in lang from lookup variables.
func AccountSpeech(lang string, vars map[string]string) []PromptRef {
	var out []PromptRef
	say := func(intro string, spoken []PromptRef, err error) {
		if err == nil && len(spoken) > 0 {
			out = append(append(out, PromptRef{Lang: lang, Name: intro}), spoken...)
		}
	}
	if cents, err := strconv.ParseInt(vars[VarBalanceCents], 10, 64); err == nil {
		p, err := Amount(lang, cents)
		say(PromptBalanceIs, p, err)
	}
	if cents, err := strconv.ParseInt(vars[VarArrearsCents], 10, 64); err == nil && cents > 0 {
		p, err := Amount(lang, cents)
		say(PromptArrearsIs, p, err)
	}
	if t, ok := parseDay(vars[VarDueDate]); ok {
		p, err := Date(lang, int(t.Month()), t.Day())
		say(PromptDueOn, p, err)
	}
	if t, ok := parseDay(vars[VarOutageStart]); ok {
		p, err := Date(lang, int(t.Month()), t.Day())
		say(PromptOutageOn, p, err)
	}
	return out
}

// parseDay accepts a date or an RFC 3339 time; a time keeps its own offset,
// which is the local day the service meant.
func parseDay(v string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, v)
	return t, err == nil
}

// AccountSpeechPromptNames lists every recording AccountSpeech may use in lang.
func AccountSpeechPromptNames(lang string) []string {
	return append([]string{PromptBalanceIs, PromptArrearsIs, PromptDueOn, PromptOutageOn}, SayPromptNames(lang)...)
}
