package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// WireVersion is the version of the command and decision formats; a
// message of another version is dropped as one that does not parse.
const WireVersion = 1

// ErrStaleTerm is returned for a decision or a write made under an older
// term than one already seen: its leader has been replaced.
var ErrStaleTerm = errors.New("cluster: decision from a replaced leader")

// ErrNoTerm is returned for a decision without a fencing token.
var ErrNoTerm = errors.New("cluster: decision carries no fencing token")

// ValidToken reports whether s can be one NATS subject token and a key:
// letters, digits, '-' and '_', at most 64.
func ValidToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0
}

// maxMessage bounds a command or decision; a larger one is dropped.
const maxMessage = 16 << 10

// CommandKind is what a node asks of the leader's ACD; each mirrors one
// command of the acd package.
type CommandKind string

// The command kinds.
const (
	CmdJoin        CommandKind = "join"         // a caller joins Queue (Call, Queue, Caller, Priority; Prefer, GraceMS: the sticky agent)
	CmdAbandon     CommandKind = "abandon"      // the caller left the queue (Call)
	CmdOfferResult CommandKind = "offer_result" // an agent leg's outcome (Call, Agent, Result)
	CmdTalkEnded   CommandKind = "talk_ended"   // a bridged call ended (Call, Reason: who hung up)
	CmdHold        CommandKind = "hold"         // a bridged call is put on hold or taken off (Call, Held)
	CmdAgent       CommandKind = "agent"        // an agent's own command (Agent, Action, Reason)
	CmdNodeCalls   CommandKind = "node_calls"   // a node's live calls, for a new leader (Calls)
	CmdTick        CommandKind = "tick"         // the leader's timers are due at At
	CmdNodeGone    CommandKind = "node_gone"    // the leader saw node Gone die: its calls ended
	CmdTransfer    CommandKind = "transfer"     // an agent's blind transfer of Call to Target ("queue:…", "ivr:…")
	CmdAttended    CommandKind = "attended"     // Call goes to Agent, whom the agent consulted in Consult
	CmdConsult     CommandKind = "consult"      // Agent is consulted in Consult (Action start) or freed (end)
	CmdDisposition CommandKind = "disposition"  // Agent's last call's outcome: Reason (category), Resolved
	CmdMove        CommandKind = "move"         // a supervisor moves waiting Call to Queue
	CmdCallback    CommandKind = "callback"     // virtual hold: Action request, restore, answered, failed (Reason) or drop of Callback
	CmdReload      CommandKind = "reload"       // the ACD's agents and queues become the configuration stored under Hash (reload.go)
)

// Offer results and agent actions a command may carry.
var (
	offerResults  = []string{"answered", "timeout", "busy", "declined", "failed"}
	agentActions  = []string{"login", "login_paused", "logout", "pause", "ready"}
	hangupSides   = []string{"caller", "agent", "server"}
	consultSteps  = []string{"start", "end"}
	callbackSteps = []string{"request", "restore", "answered", "failed", "drop"}
)

// Command is one message of the command stream.
type Command struct {
	V        int         `json:"v"`
	ID       string      `json:"id"` // unique per command: a resend with the same id is stored once
	Node     string      `json:"node"`
	Kind     CommandKind `json:"kind"`
	At       int64       `json:"at"` // when it happened, Unix milliseconds: the ACD's time for it
	Call     string      `json:"call,omitempty"`
	Queue    string      `json:"queue,omitempty"`
	Caller   string      `json:"caller,omitempty"`
	Priority int         `json:"priority,omitempty"`
	Prefer   string      `json:"prefer,omitempty"`   // join: wait for this agent first…
	GraceMS  int64       `json:"grace_ms,omitempty"` // …for this long
	Held     bool        `json:"held,omitempty"`
	Agent    string      `json:"agent,omitempty"`
	Action   string      `json:"action,omitempty"`
	Result   string      `json:"result,omitempty"`
	Reason   string      `json:"reason,omitempty"`
	Calls    []string    `json:"calls,omitempty"`
	Gone     string      `json:"gone,omitempty"`
	Target   string      `json:"target,omitempty"`  // transfer
	Consult  string      `json:"consult,omitempty"` // attended, consult: the consult call's id
	Resolved bool        `json:"resolved,omitempty"`
	// A callback: its id, the number to call, its policy and, restored
	// after a restart, where it stood.
	Callback      string `json:"callback,omitempty"`
	Number        string `json:"number,omitempty"`
	MaxAttempts   int    `json:"max_attempts,omitempty"`
	RetryAfterMS  int64  `json:"retry_after_ms,omitempty"`
	GiveUpAfterMS int64  `json:"give_up_after_ms,omitempty"`
	QueuedMS      int64  `json:"queued_ms,omitempty"`
	GiveUpAtMS    int64  `json:"give_up_at_ms,omitempty"`
	Attempts      int    `json:"attempts,omitempty"`
	// A reload: the hash of the ACD configuration it applies
	// (EncodeConfig) and, for a conditional one, the hash it replaces.
	Hash string `json:"hash,omitempty"`
	Prev string `json:"prev,omitempty"`
}

// Check reports what makes a command unusable.
func (c *Command) Check() error {
	if c.V != WireVersion {
		return fmt.Errorf("version %d, want %d", c.V, WireVersion)
	}
	if c.ID == "" || !ValidToken(c.Node) || c.At <= 0 {
		return errors.New("a command needs an id, a valid node and a time")
	}
	k := fieldCheck{kind: c.Kind}
	c.checkFields(&k)
	return errors.Join(k.errs...)
}

// fieldCheck collects what is wrong with one command's fields, in the
// order they are checked.
type fieldCheck struct {
	kind CommandKind
	errs []error
}

// need notes a required field left empty.
func (k *fieldCheck) need(field, v string) {
	if v == "" {
		k.errs = append(k.errs, fmt.Errorf("%s needs %s", k.kind, field))
	}
}

// oneOf notes a value outside its allowed set; what names it in the error.
func (k *fieldCheck) oneOf(what, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		k.errs = append(k.errs, fmt.Errorf("%s %q: want one of %v", what, v, allowed))
	}
}

// fail notes err when bad holds.
func (k *fieldCheck) fail(bad bool, err error) {
	if bad {
		k.errs = append(k.errs, err)
	}
}

// checkFields checks the fields each kind of command needs.
func (c *Command) checkFields(k *fieldCheck) {
	switch c.Kind {
	case CmdJoin:
		k.need("call", c.Call)
		k.need("queue", c.Queue)
		k.fail(c.GraceMS < 0 || (c.GraceMS > 0 && c.Prefer == ""),
			errors.New("join: grace_ms needs a preferred agent and must not be negative"))
	case CmdAbandon, CmdHold:
		k.need("call", c.Call)
	case CmdTalkEnded:
		k.need("call", c.Call)
		k.oneOf("talk_ended by", c.Reason, hangupSides)
	case CmdOfferResult:
		k.need("call", c.Call)
		k.need("agent", c.Agent)
		k.oneOf("offer_result", c.Result, offerResults)
	case CmdAgent:
		k.need("agent", c.Agent)
		k.oneOf("agent action", c.Action, agentActions)
	case CmdTransfer:
		k.need("call", c.Call)
		k.need("target", c.Target)
		k.fail(c.Action != "blind", fmt.Errorf("transfer %q: want blind", c.Action))
	case CmdAttended:
		k.need("call", c.Call)
		k.need("agent", c.Agent)
		k.need("consult", c.Consult)
	case CmdConsult:
		k.need("agent", c.Agent)
		k.need("consult", c.Consult)
		k.oneOf("consult", c.Action, consultSteps)
	case CmdMove:
		k.need("call", c.Call)
		k.need("queue", c.Queue)
	case CmdDisposition:
		k.need("agent", c.Agent)
		k.need("category", c.Reason)
	case CmdCallback:
		k.errs = append(k.errs, c.checkCallback()...)
	case CmdNodeCalls, CmdTick:
	case CmdReload:
		k.fail(!validHash(c.Hash) || (c.Prev != "" && !validHash(c.Prev)),
			fmt.Errorf("reload: hash %q, prev %q", c.Hash, c.Prev))
	case CmdNodeGone:
		k.fail(!ValidToken(c.Gone), fmt.Errorf("node_gone: node %q", c.Gone))
	default:
		k.errs = append(k.errs, fmt.Errorf("unknown command kind %q", c.Kind))
	}
}

// DecisionKind is what the leader's ACD tells a node to do; each mirrors
// one action of the acd package.
type DecisionKind string

// The decision kinds.
const (
	DecQueued      DecisionKind = "queued"       // Call waits: Position, ExpectedWaitMS
	DecBlocked     DecisionKind = "blocked"      // Call may not join: Reason
	DecRejected    DecisionKind = "rejected"     // Call is refused: Reason
	DecOffer       DecisionKind = "offer"        // ring Agents for Call: TimeoutMS
	DecCancelOffer DecisionKind = "cancel_offer" // stop ringing Agent for Call
	DecConnect     DecisionKind = "connect"      // bridge Call to Agent
	DecAnnounce    DecisionKind = "announce"     // tell Call its Position, ExpectedWaitMS
	DecOverflow    DecisionKind = "overflow"     // Call leaves for Target
	DecLeave       DecisionKind = "leave"        // Call leaves the queue: Reason
	DecWrapup      DecisionKind = "wrapup"       // Agent is in wrap-up until UntilMS
)

// Decision is what the ACD's answer to one command means for the node
// holding a call or an agent. Every node's router makes the same
// decisions; each node carries out those addressed to it.
type Decision struct {
	Seq            uint64       `json:"seq,omitempty"` // the command that caused it, if one did
	Node           string       `json:"node"`          // the node it is for
	Kind           DecisionKind `json:"kind"`
	Call           string       `json:"call,omitempty"`
	Agent          string       `json:"agent,omitempty"`
	Agents         []string     `json:"agents,omitempty"`
	Queue          string       `json:"queue,omitempty"`
	Target         string       `json:"target,omitempty"`
	Reason         string       `json:"reason,omitempty"`
	Position       int          `json:"position,omitempty"`
	ExpectedWaitMS int64        `json:"expected_wait_ms,omitempty"`
	TimeoutMS      int64        `json:"timeout_ms,omitempty"`
	UntilMS        int64        `json:"until_ms,omitempty"`
	WorkNumber     string       `json:"work_number,omitempty"`
	AnnounceAgent  bool         `json:"announce_agent,omitempty"`
}

// ParseCommand decodes and checks a command; unknown fields are refused
// too, so a sender of another format is noticed rather than half-read.
func ParseCommand(data []byte) (Command, error) {
	var c Command
	if err := DecodeStrict(data, &c); err != nil {
		return c, err
	}
	return c, c.Check()
}

// DecodeStrict decodes one JSON value into v, refusing unknown fields,
// trailing data and more than 16 KiB.
func DecodeStrict(data []byte, v any) error {
	if len(data) > maxMessage {
		return fmt.Errorf("%d bytes, more than %d", len(data), maxMessage)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("does not parse: %w", err)
	}
	if dec.More() {
		return errors.New("trailing data after the message")
	}
	return nil
}

func (c *Command) checkCallback() []error {
	var errs []error
	if c.Callback == "" {
		errs = append(errs, errors.New("callback needs a callback id"))
	}
	switch c.Action {
	case "request":
		if c.Call == "" || c.Number == "" {
			errs = append(errs, errors.New("callback request needs a call and a number"))
		}
	case "restore":
		if c.Queue == "" || c.Number == "" {
			errs = append(errs, errors.New("callback restore needs a queue and a number"))
		}
	case "failed":
		if c.Reason == "" {
			errs = append(errs, errors.New("callback failed needs an outcome"))
		}
	case "answered", "drop":
	default:
		errs = append(errs, fmt.Errorf("callback %q: want one of %v", c.Action, callbackSteps))
	}
	if c.MaxAttempts < 0 || c.RetryAfterMS < 0 || c.GiveUpAfterMS < 0 || c.Attempts < 0 {
		errs = append(errs, errors.New("callback: negative policy"))
	}
	return errs
}
