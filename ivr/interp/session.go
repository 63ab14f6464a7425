package interp

import (
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// Clock tells the time; injected so calendars can be tested at any instant.
type Clock interface{ Now() time.Time }

// Env is what a session needs from the outside world.
type Env struct {
	Clock     Clock                    // required when the flow has hours nodes
	Language  string                   // used when the flow sets no language
	Notice    func() []ivr.PromptRef   // current global notice; nil or empty = none
	Calendars map[string]*ivr.Calendar // by name, as referenced by hours nodes

	AreaNotices func(area string) []AreaNotice // active outage notices of an area
}

// MaxHops caps consecutive moves through nodes that do not wait for the
// caller (goto, language, hours, empty notice), so a cycle of them ends the
// call instead of spinning forever.
const MaxHops = 64

// phase is what the session is waiting for.
type phase int

const (
	phaseNew      phase = iota // Start not called yet
	phasePlaying               // play/notice prompt; PlaybackDone moves on
	phasePrompt                // menu/collect prompt; keys may barge in
	phaseInput                 // waiting for keys with a timer running
	phaseGoodbye               // goodbye prompts; PlaybackDone hangs up
	phaseLookup                // lookup: waiting for LookupResult or the timer
	phaseFallback              // lookup failed: fallback prompts, then on_fail
	phaseNotices               // area notices playing; 1 continues
	phaseStayOn                // notices heard: 1 or silence continues, hang-up ends
	phaseRecIntro              // record: instructions playing, then recording
	phaseRecord                // record: waiting for RecordingDone
	phaseFiling                // fault_report: waiting for FaultReportFiled
	phaseDone
)

// Session runs one caller through one flow. It is a pure state machine:
// events in, actions out, no I/O and no goroutines. It is not safe for
// concurrent use; one driver (such as Run) owns it.
type Session struct {
	flow *ivr.Flow
	env  Env
	lang string
	vars map[string]string
	path []string
	out  []Action

	phase     phase
	node      *ivr.Node
	timerSeq  uint64
	liveTimer uint64 // 0 = none
	silences  int    // silent timeouts at the current node
	invalids  int    // wrong entries at the current node
	digits    []rune // collect: keys so far
	entered   string // collect: value awaiting confirmation
	confirm   bool   // collect: reading back, waiting for 1 or 2
	replay    []ivr.PromptRef
	goodbye   Hangup
	lookupSeq uint64 // lookups, recordings and filings started
	lookupID  uint64 // the one being waited for; 0 = none
}

// NewSession prepares a session; nothing happens until Start.
func NewSession(flow *ivr.Flow, env Env) *Session {
	return &Session{flow: flow, env: env, lang: env.Language, vars: make(map[string]string)}
}

// Start enters the flow's start node and returns the first actions.
func (s *Session) Start() []Action {
	if s.phase != phaseNew {
		return nil
	}
	if s.flow.Language != "" && s.flow.Language != s.lang {
		s.setLanguage(s.flow.Language)
	}
	s.goTo(s.flow.Start)
	return s.take()
}

// Handle feeds one event and returns the actions it causes, in order.
// Events after the session is done are ignored.
func (s *Session) Handle(ev Event) []Action {
	if s.phase == phaseDone {
		return nil
	}
	if _, ok := ev.(CallerHangup); ok {
		s.end()
		return nil
	}
	if s.phase == phaseNew {
		return nil
	}
	switch e := ev.(type) {
	case Digit:
		s.onDigit(e.D)
	case PlaybackDone:
		s.onPlaybackDone()
	case LookupResult:
		s.onLookupResult(e)
	case RecordingDone:
		s.onRecordingDone(e)
	case FaultReportFiled:
		s.onFaultReportFiled(e)
	case TimerFired:
		if e.ID != 0 && e.ID == s.liveTimer {
			s.liveTimer = 0
			s.onTimeout()
		}
	}
	return s.take()
}

// Vars returns a copy of the variables collected so far.
func (s *Session) Vars() map[string]string { return maps.Clone(s.vars) }

// Path returns the names of the nodes visited, in order, repeats included.
func (s *Session) Path() []string { return slices.Clone(s.path) }

// Language is the session's current language.
func (s *Session) Language() string { return s.lang }

// Done reports whether the session reached a terminal action or the caller left.
func (s *Session) Done() bool { return s.phase == phaseDone }

func (s *Session) take() []Action {
	out := s.out
	s.out = nil
	return out
}

func (s *Session) emit(a Action) { s.out = append(s.out, a) }

func (s *Session) goTo(name string) {
	for range MaxHops {
		n, ok := s.flow.Nodes[name]
		if !ok {
			s.hangUp(Hangup{Reason: ReasonBrokenFlow})
			return
		}
		s.enter(n)
		next, waits := s.runNode(n)
		if waits {
			return
		}
		name = next
	}
	s.hangUp(Hangup{Reason: ReasonLoop})
}

func (s *Session) enter(n *ivr.Node) {
	s.node = n
	s.liveTimer = 0
	s.silences, s.invalids = 0, 0
	s.digits, s.entered, s.confirm = s.digits[:0], "", false
	s.replay = n.Prompts
	s.path = append(s.path, n.Name)
	s.emit(NodeEntered{Flow: s.flow.Name, Node: n.Name, Type: string(n.Type)})
}

// runNode does a node's work on entry. It returns waits=true when the node
// now waits for an event (or ended the session), else the node to move to.
func (s *Session) runNode(n *ivr.Node) (next string, waits bool) {
	switch n.Type {
	case ivr.TypePlay:
		s.playing(phasePlaying, n.Prompts, n.BargeIn)
	case ivr.TypeNotice:
		notice := s.notice()
		if len(notice) == 0 {
			return n.Next, false
		}
		s.playing(phasePlaying, notice, n.BargeIn)
	case ivr.TypeHours:
		return s.hours(n)
	case ivr.TypeMenu, ivr.TypeCollect:
		s.askAgain(nil)
	case ivr.TypeLanguage:
		s.setLanguage(n.Language)
		return n.Next, false
	case ivr.TypeGoto:
		return n.Next, false
	case ivr.TypeSet:
		for k, v := range n.SetVars {
			s.vars[k] = v
		}
		return n.Next, false
	case ivr.TypeQueue:
		s.emit(EnterQueue{Queue: n.Queue, Priority: n.Priority})
		s.end()
	case ivr.TypeHangup:
		s.sayGoodbye(n.Prompts, Hangup{SelfService: n.SelfService, Reason: ReasonCompleted})
	case ivr.TypeLookup:
		return s.startLookup(n)
	case ivr.TypeSayAcct:
		return s.sayAccount(n)
	case ivr.TypeNotices:
		return s.startNotices(n)
	case ivr.TypeRecord:
		s.playing(phaseRecIntro, n.Prompts, false)
	case ivr.TypeFaultReport:
		return s.startFaultReport(n)
	default:
		s.hangUp(Hangup{Reason: ReasonBrokenFlow})
	}
	return "", true
}

func (s *Session) notice() []ivr.PromptRef {
	if s.env.Notice == nil {
		return nil
	}
	return s.env.Notice()
}

func (s *Session) hours(n *ivr.Node) (string, bool) {
	cal := s.env.Calendars[n.Calendar]
	if cal == nil || s.env.Clock == nil {
		s.hangUp(Hangup{Reason: ReasonBrokenFlow})
		return "", true
	}
	if cal.IsOpen(s.env.Clock.Now()) {
		return n.Open, false
	}
	return n.Closed, false
}

func (s *Session) setLanguage(lang string) {
	s.lang = lang
	s.emit(SetLanguage{Lang: lang})
}

// playing starts prompts and records what their end will mean.
func (s *Session) playing(p phase, prompts []ivr.PromptRef, bargeIn bool) {
	s.phase = p
	s.emit(Play{Prompts: s.resolve(prompts), BargeIn: bargeIn})
}

// resolve fixes bare prompt names to the language in force right now.
func (s *Session) resolve(prompts []ivr.PromptRef) []ivr.PromptRef {
	out := make([]ivr.PromptRef, len(prompts))
	for i, p := range prompts {
		if p.Lang == "" {
			p.Lang = s.lang
		}
		out[i] = p
	}
	return out
}

func (s *Session) startTimer(after time.Duration) {
	s.timerSeq++
	s.liveTimer = s.timerSeq
	s.emit(StartTimer{ID: s.timerSeq, After: after})
}

// sayGoodbye plays the prompts and hangs up once they finish.
func (s *Session) sayGoodbye(prompts []ivr.PromptRef, h Hangup) {
	s.liveTimer = 0
	if len(prompts) == 0 {
		s.hangUp(h)
		return
	}
	s.goodbye = h
	s.playing(phaseGoodbye, prompts, false)
}

func (s *Session) hangUp(h Hangup) {
	s.emit(h)
	s.end()
}

func (s *Session) end() {
	s.phase = phaseDone
	s.liveTimer = 0
}
