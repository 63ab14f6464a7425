package ivr

import (
	"regexp"
	"time"
)

// NodeType names what a node does; it also decides which YAML keys it takes.
type NodeType string

// The node types a flow may use.
const (
	TypePlay     NodeType = "play"     // play prompts, then next
	TypeNotice   NodeType = "notice"   // play the current global notice, if any, then next
	TypeHours    NodeType = "hours"    // branch on a business-hours calendar
	TypeMenu     NodeType = "menu"     // one key chooses the next node
	TypeLanguage NodeType = "language" // switch the session language
	TypeCollect  NodeType = "collect"  // gather a digit string into a session variable
	TypeQueue    NodeType = "queue"    // hand the call to the ACD (terminal)
	TypeGoto     NodeType = "goto"     // jump to another node
	TypeSet      NodeType = "set"      // set session variables (e.g. the area a menu chose), then next
	TypeHangup   NodeType = "hangup"   // optional goodbye prompts, then hang up (terminal)
)

// Defaults applied when the YAML leaves a setting out.
const (
	DefaultSilenceTimeout    = 5 * time.Second
	DefaultSilenceRetries    = 1
	DefaultRetries           = 3
	DefaultInterDigitTimeout = 3 * time.Second
	DefaultCollectMin        = 1
	DefaultCollectMax        = 32
	DefaultTerminator        = '#'
)

// Prompt names the interpreter itself relies on.
const (
	PromptHelloHelp      = "hello_help"
	PromptCannotHear     = "cannot_hear"
	PromptYouEntered     = "you_entered"
	PromptConfirmReenter = "confirm_reenter"
)

// PromptRef identifies one recording. An empty Lang in a flow means "the
// session's current language"; actions always carry a concrete Lang.
type PromptRef struct {
	Lang string
	Name string
}

func (p PromptRef) String() string {
	if p.Lang == "" {
		return p.Name
	}
	return p.Lang + "/" + p.Name
}

// Silence is a flow's rule for callers who say nothing at a menu or collect.
type Silence struct {
	Timeout  time.Duration // wait after the prompt finished
	Reprompt []PromptRef   // played before the node's prompt again
	Retries  int           // silent re-prompts before saying goodbye
	Goodbye  []PromptRef   // played before hanging up
}

// Flow is one parsed IVR flow. It is immutable once parsed, so sessions may
// share it and a reload can swap it without touching calls in progress.
type Flow struct {
	Name     string
	Start    string
	Language string // initial language; empty = the caller's default
	Silence  Silence
	Nodes    map[string]*Node

	pos  position
	uses []use // references checked by Validate
}

// Node is one step of a flow. Which fields matter depends on Type.
type Node struct {
	Name    string
	Type    NodeType
	Prompts []PromptRef
	BargeIn bool   // a key press stops the prompt (menu/collect default true)
	Next    string // play, notice, language, collect, goto

	// menu and collect
	Options map[rune]string // menu: key -> node
	Invalid []PromptRef     // played after a wrong entry, before the prompt again
	Retries int             // wrong entries answered with a re-prompt; the next one fails to OnFail
	OnFail  string          // empty = flow's silence goodbye, then hang up

	// hours
	Calendar string
	Open     string
	Closed   string

	// language
	Language string

	// collect
	Var               string
	Min, Max          int
	Terminator        rune           // 0 = none
	Pattern           *regexp.Regexp // anchored: the whole input must match
	FirstDigitTimeout time.Duration
	InterDigitTimeout time.Duration
	Confirm           bool

	// queue
	Queue    string
	Priority int

	// hangup
	SelfService bool

	// set: variable name -> value
	SetVars map[string]string

	// lookup
	Service    string
	AccountVar string
	NotFound   string
	Fallback   []PromptRef // spoken when the service fails, before on_fail
	Timeout    time.Duration
	EndSilence time.Duration // record: quiet that ends the message

	pos  position
	uses []use
}

// useKind says what a name in the YAML refers to, so Validate can check it
// against the rest of the configuration.
type useKind int

const (
	useNode useKind = iota
	usePrompt
	useCalendar
	useLanguage
	useQueue
	useReadBack // collect+confirm: read-back and digit prompts in every language
	useService  // lookup: a configured outside service
)

// use is one reference from a flow to something defined elsewhere, with the
// position of the YAML value that made it.
type use struct {
	kind   useKind
	what   string // the key that made the reference, e.g. "next" or "option 1"
	name   string
	prompt PromptRef
	pos    position
}
