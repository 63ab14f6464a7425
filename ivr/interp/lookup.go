package interp

import (
	"maps"

	"github.com/hotline-oss/hotline/ivr"
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
func (s *Session) startLookup(n *ivr.Node) (string, bool) {
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
func (s *Session) sayAccount(n *ivr.Node) (string, bool) {
	prompts := ivr.AccountSpeech(s.lang, s.vars)
	if len(prompts) == 0 {
		return n.Next, false
	}
	s.phase = phasePlaying
	s.emit(Play{Prompts: prompts, BargeIn: n.BargeIn})
	return "", true
}
