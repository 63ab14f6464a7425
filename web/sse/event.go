package sse

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hotline-oss/hotline/call"
)

// EventJSON is a call or agent event as integrations see it, on the SSE
// stream and in webhook bodies. Empty fields are left out.
type EventJSON struct {
	Kind         string  `json:"kind"`
	Time         string  `json:"time"` // RFC 3339 with milliseconds
	CallID       string  `json:"call_id,omitempty"`
	Caller       string  `json:"caller,omitempty"` // masked unless allowed
	Number       string  `json:"number,omitempty"`
	Flow         string  `json:"flow,omitempty"`
	Node         string  `json:"node,omitempty"`
	NodeType     string  `json:"node_type,omitempty"`
	Language     string  `json:"language,omitempty"`
	Queue        string  `json:"queue,omitempty"`
	Priority     int     `json:"priority,omitempty"`
	DelaySeconds float64 `json:"delay_seconds,omitempty"`
	Result       string  `json:"result,omitempty"`
	HangupBy     string  `json:"hangup_by,omitempty"`
	Reason       string  `json:"reason,omitempty"`
	Agent        string  `json:"agent,omitempty"`
	State        string  `json:"state,omitempty"`
	PrevState    string  `json:"prev_state,omitempty"`
	WaitSeconds  float64 `json:"wait_seconds,omitempty"`
	Target       string  `json:"target,omitempty"`
	TransferKind string  `json:"transfer_kind,omitempty"`
	Category     string  `json:"category,omitempty"`
	Resolved     *bool   `json:"resolved,omitempty"` // DispositionSet only, where false matters
	Score        int     `json:"score,omitempty"`
	Detail       string  `json:"detail,omitempty"` // notice id, work order, recording file, monitor mode
}

// EventTimeFormat is RFC 3339 with milliseconds.
const EventTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// NewEventJSON converts e; the caller's number is reduced to its last four
// digits unless fullCaller is set.
func NewEventJSON(e call.Event, fullCaller bool) EventJSON {
	out := EventJSON{
		Kind: e.Kind.String(), Time: e.Time.Format(EventTimeFormat),
		CallID: e.CallID, Number: e.Number, Flow: e.Flow, Node: e.Node,
		NodeType: e.NodeType, Language: e.Language, Queue: e.Queue, Priority: e.Priority,
		DelaySeconds: e.Delay.Seconds(), Result: string(e.Result), HangupBy: string(e.HangupBy),
		Reason: e.Reason, Agent: e.Agent, State: e.State, PrevState: e.PrevState,
		WaitSeconds: e.Wait.Seconds(), Target: e.Target, TransferKind: e.TransferKind,
		Category: e.Category, Score: e.Score, Detail: e.Detail,
	}
	out.Caller = e.Caller
	if !fullCaller {
		out.Caller = MaskNumber(e.Caller)
	}
	if e.Kind == call.CallbackRequested && !fullCaller {
		out.Target = MaskNumber(e.Target) // the number to call back is the caller's
	}
	if e.Kind == call.DispositionSet {
		resolved := e.Resolved
		out.Resolved = &resolved
	}
	return out
}

// MarshalEvent is NewEventJSON encoded.
func MarshalEvent(e call.Event, fullCaller bool) ([]byte, error) {
	b, err := json.Marshal(NewEventJSON(e, fullCaller))
	if err != nil {
		return nil, fmt.Errorf("events: encode %s: %w", e.Kind, err)
	}
	return b, nil
}

// MaskNumber keeps the last four characters of a number: "***1234".
func MaskNumber(n string) string {
	if n == "" {
		return ""
	}
	if len(n) <= 4 {
		return "***"
	}
	return "***" + n[len(n)-4:]
}

// ParseKinds turns "call_ended,agent_answered" names into a set; nil means
// every kind.
func ParseKinds(names []string) (map[call.Kind]bool, error) {
	var set map[call.Kind]bool
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		k, ok := kindByName(name)
		if !ok {
			return nil, fmt.Errorf("unknown event kind %q", name)
		}
		if set == nil {
			set = make(map[call.Kind]bool)
		}
		set[k] = true
	}
	return set, nil
}

func kindByName(name string) (call.Kind, bool) {
	for k := call.Kind(1); k.String() != "unknown"; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}
