package ivr

import (
	"maps"
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

// LookupStatus is how a lookup ended, as far as the flow cares.
type LookupStatus int

const (
	LookupOK       LookupStatus = iota + 1 // found: Vars hold the answer
	LookupNotFound                         // the service does not know the account
	LookupFailed                           // down, timed out, refused or circuit open
)

// Lookup asks the driver to look Account up at Service and to answer with
// a LookupResult carrying the same ID.
type Lookup struct {
	ID      uint64
	Service string
	Account string
}

func (Lookup) isAction() {}

// LookupResult answers the Lookup with the same ID; results for any other
// ID (a lookup the session gave up on) are ignored.
type LookupResult struct {
	ID     uint64
	Status LookupStatus
	Vars   map[string]string // LookupOK: values to store, named by the Var constants
}

func (LookupResult) isEvent() {}

// ServiceLeg is a Leg that does the self-service work: lookups, notices
// heard, recordings and fault reports. Do must return at once; results
// (LookupResult, RecordingDone, FaultReportFiled) arrive later on Events.
type ServiceLeg interface {
	Do(Action)
}

// delegate hands a to the leg. A leg without services fails the work at
// once, so the flow takes its failure path instead of waiting for a timer.
func (r *runner) delegate(a Action) {
	if l, ok := r.leg.(ServiceLeg); ok {
		l.Do(a)
		return
	}
	switch a := a.(type) {
	case Lookup:
		r.pending = append(r.pending, LookupResult{ID: a.ID, Status: LookupFailed})
	case StartRecording:
		r.pending = append(r.pending, RecordingDone{ID: a.ID})
	case FileFaultReport:
		r.pending = append(r.pending, FaultReportFiled{ID: a.ID})
	}
}

// startLookup runs on entry to a lookup node.
func (s *Session) startLookup(n *Node) (string, bool) {
	account := s.vars[n.AccountVar]
	if account == "" {
		// Nothing to ask about: treat it like an unknown account rather
		// than bother the service.
		return n.NotFound, false
	}
	s.lookupSeq++
	s.lookupID = s.lookupSeq
	s.phase = phaseLookup
	if len(n.Prompts) > 0 {
		s.emit(Play{Prompts: s.resolve(n.Prompts)})
	}
	s.emit(Lookup{ID: s.lookupID, Service: n.Service, Account: account})
	s.startTimer(n.Timeout)
	return "", true
}

func (s *Session) onLookupResult(r LookupResult) {
	if s.phase != phaseLookup || r.ID != s.lookupID {
		return
	}
	s.lookupID, s.liveTimer = 0, 0
	n := s.node
	if len(n.Prompts) > 0 {
		s.emit(StopPlayback{})
	}
	switch r.Status {
	case LookupOK:
		maps.Copy(s.vars, r.Vars)
		s.goTo(n.Next)
	case LookupNotFound:
		s.goTo(n.NotFound)
	default:
		s.lookupFailed()
	}
}

// lookupFailed speaks the fallback, if any, and moves on to on_fail.
func (s *Session) lookupFailed() {
	s.lookupID, s.liveTimer = 0, 0
	n := s.node
	if len(n.Fallback) == 0 {
		s.goTo(n.OnFail)
		return
	}
	s.playing(phaseFallback, n.Fallback, false)
}

// sayAccount speaks what the lookup found: balance, arrears, due date and a
// planned outage. Values that are missing or malformed are left out rather
// than spoken wrongly.
func (s *Session) sayAccount(n *Node) (string, bool) {
	prompts := AccountSpeech(s.lang, s.vars)
	if len(prompts) == 0 {
		return n.Next, false
	}
	s.phase = phasePlaying
	s.emit(Play{Prompts: prompts, BargeIn: n.BargeIn})
	return "", true
}

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
