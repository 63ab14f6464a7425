package ivr

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// nodeKeys lists, per node type, the keys it requires and those it merely
// accepts besides "type".
var nodeKeys = map[NodeType]struct{ required, optional []string }{
	TypePlay:     {[]string{"prompts", "next"}, []string{"barge_in"}},
	TypeNotice:   {[]string{"next"}, []string{"barge_in"}},
	TypeHours:    {[]string{"calendar", "open", "closed"}, nil},
	TypeMenu:     {[]string{"prompts", "options"}, []string{"barge_in", "invalid", "retries", "on_fail"}},
	TypeLanguage: {[]string{"language", "next"}, nil},
	TypeCollect: {[]string{"prompts", "var", "next"}, []string{
		"barge_in", "min", "max", "terminator", "pattern", "first_digit_timeout",
		"inter_digit_timeout", "confirm", "invalid", "retries", "on_fail"}},
	TypeQueue:  {[]string{"queue"}, []string{"priority"}},
	TypeGoto:   {[]string{"next"}, nil},
	TypeSet:    {[]string{"vars", "next"}, nil},
	TypeHangup: {nil, []string{"prompts", "self_service"}},
	TypeLookup: {[]string{"service", "next", "not_found", "on_fail"}, []string{
		"account_var", "prompts", "fallback", "timeout"}},
	TypeSayAcct: {[]string{"next"}, []string{"barge_in"}},
	TypeNotices: {[]string{"prompts", "next"}, []string{"area_var"}},
	TypeRecord: {[]string{"prompts", "next", "on_fail"}, []string{
		"var", "max_duration", "end_silence", "terminator"}},
	TypeFaultReport: {[]string{"prompts", "next", "on_fail"}, []string{
		"account_var", "recording_var", "fallback", "timeout"}},
}

func nodeTypeNames() string {
	names := make([]string, 0, len(nodeKeys))
	for t := range nodeKeys {
		names = append(names, string(t))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (r *reader) node(fl *Flow, key, val *yaml.Node) *Node {
	where := fmt.Sprintf("flow %s: node %s", fl.Name, key.Value)
	fs := r.mapping(val, where, "key")
	n := &Node{Name: key.Value, pos: r.pos(key)}
	var typeNode *yaml.Node
	for _, f := range fs {
		if f.key.Value == "type" {
			typeNode, _ = r.scalar(f.val, where, "type")
		}
	}
	if typeNode == nil {
		if !slices.ContainsFunc(fs, func(f field) bool { return f.key.Value == "type" }) {
			r.failf(key, where, `missing key "type"`)
		}
		return nil
	}
	spec, known := nodeKeys[NodeType(typeNode.Value)]
	if !known {
		r.failf(typeNode, where, "unknown node type %q (want one of %s)", typeNode.Value, nodeTypeNames())
		return nil
	}
	n.Type = NodeType(typeNode.Value)
	setNodeDefaults(n)
	allowed := append(append([]string{"type"}, spec.required...), spec.optional...)
	seen := make(map[string]*yaml.Node)
	for _, f := range r.checkKeys(fs, where, allowed) {
		seen[f.key.Value] = f.val
		r.nodeField(n, f, where)
	}
	for _, k := range spec.required {
		if seen[k] == nil {
			r.failf(key, where, "missing key %q", k)
		}
	}
	// Waiting on an empty playback would stall the call: nothing would ever
	// report PlaybackDone.
	if at := seen["prompts"]; at != nil && len(n.Prompts) == 0 && n.Type != TypeHangup {
		r.failf(resolveOr(at), where, "prompts: must not be empty")
	}
	if n.Type == TypeCollect && n.Min > n.Max {
		at := seen["min"]
		if at == nil {
			at = seen["max"]
		}
		r.failf(at, where, "min %d is greater than max %d", n.Min, n.Max)
	}
	return n
}

func setNodeDefaults(n *Node) {
	switch n.Type {
	case TypeMenu:
		n.BargeIn = true
		n.Retries = DefaultRetries
	case TypeNotices:
		n.Var = DefaultAreaVar
	case TypeRecord:
		n.Var, n.Terminator = DefaultRecordingVar, DefaultTerminator
		n.Timeout, n.EndSilence = DefaultRecordMax, DefaultRecordSilence
	case TypeFaultReport:
		n.Var, n.AccountVar, n.Timeout = DefaultRecordingVar, "account", DefaultFaultTimeout
	case TypeLookup:
		n.AccountVar = "account"
		n.Timeout = DefaultLookupTimeout
	case TypeCollect:
		n.BargeIn = true
		n.Retries = DefaultRetries
		n.Min, n.Max = DefaultCollectMin, DefaultCollectMax
		n.Terminator = DefaultTerminator
		n.InterDigitTimeout = DefaultInterDigitTimeout
	}
}

// nodeField reads one key; a key means the same thing in every node type
// that allows it, so one switch serves them all.
func (r *reader) nodeField(n *Node, f field, where string) {
	key, val := f.key.Value, f.val
	switch key {
	case "prompts":
		n.Prompts = r.prompts(val, where, key, &n.uses)
	case "invalid":
		n.Invalid = r.prompts(val, where, key, &n.uses)
	case "barge_in":
		n.BargeIn = r.boolean(val, where, key)
	case "next", "on_fail", "open", "closed", "not_found":
		r.nodeRef(n, key, val, where)
	case "options":
		r.options(n, val, where)
	case "retries":
		n.Retries = r.integer(val, where, key, 0)
	case "calendar":
		n.Calendar = r.named(n, useCalendar, key, val, where)
	case "language":
		n.Language = r.named(n, useLanguage, key, val, where)
	case "queue":
		n.Queue = r.named(n, useQueue, key, val, where)
	case "priority":
		n.Priority = r.integer(val, where, key, math.MinInt32)
	case "var":
		n.Var = r.str(val, where, key)
	case "min":
		n.Min = r.integer(val, where, key, 0)
	case "max":
		n.Max = r.integer(val, where, key, 1)
	case "terminator":
		n.Terminator = r.terminator(val, where)
	case "pattern":
		n.Pattern = r.pattern(val, where)
	case "first_digit_timeout":
		n.FirstDigitTimeout = r.duration(val, where, key)
	case "inter_digit_timeout":
		n.InterDigitTimeout = r.duration(val, where, key)
	case "confirm":
		n.Confirm = r.boolean(val, where, key)
		if n.Confirm {
			n.uses = append(n.uses, use{kind: useReadBack, what: key, pos: r.pos(resolve(val))})
		}
	case "self_service":
		n.SelfService = r.boolean(val, where, key)
	case "vars":
		n.SetVars = r.setVars(val, where)
	case "service":
		n.Service = r.named(n, useService, key, val, where)
	case "area_var", "recording_var":
		n.Var = r.str(val, where, key)
	case "max_duration":
		n.Timeout = r.duration(val, where, key)
		if n.Timeout > MaxRecordDuration {
			// The recorder reserves its whole buffer when a message
			// starts (16 KB a second), so the bound is also a memory bound.
			r.failf(resolve(val), where, "%s: at most %s", key, MaxRecordDuration)
		}
	case "end_silence":
		n.EndSilence = r.duration(val, where, key)
	case "account_var":
		n.AccountVar = r.str(val, where, key)
	case "fallback":
		n.Fallback = r.prompts(val, where, key, &n.uses)
	case "timeout":
		n.Timeout = r.duration(val, where, key)
	}
}

func (r *reader) nodeRef(n *Node, key string, val *yaml.Node, where string) {
	target := r.str(val, where, key)
	switch key {
	case "next":
		n.Next = target
	case "on_fail":
		n.OnFail = target
	case "open":
		n.Open = target
	case "closed":
		n.Closed = target
	case "not_found":
		n.NotFound = target
	}
	if target != "" {
		n.uses = append(n.uses, use{kind: useNode, what: key, name: target, pos: r.pos(resolve(val))})
	}
}

func (r *reader) named(n *Node, kind useKind, key string, val *yaml.Node, where string) string {
	name := r.str(val, where, key)
	if name != "" {
		n.uses = append(n.uses, use{kind: kind, what: key, name: name, pos: r.pos(resolve(val))})
	}
	return name
}

// menuKeys are the keys a caller can press.
const menuKeys = "0123456789*#"

func (r *reader) options(n *Node, val *yaml.Node, where string) {
	n.Options = make(map[rune]string)
	fields := r.mapping(val, where+": options", "digit")
	if len(fields) == 0 && (isEmpty(val) || resolve(val).Kind == yaml.MappingNode) {
		r.failf(resolveOr(val), where, "options: no keys defined")
	}
	for _, f := range fields {
		k := f.key.Value
		if len(k) != 1 || !strings.Contains(menuKeys, k) {
			r.failf(f.key, where, "options: %q is not a single key (want one of %s)", k, menuKeys)
			continue
		}
		what := "option " + k
		target := r.str(f.val, where, what)
		if target == "" {
			continue
		}
		n.Options[rune(k[0])] = target
		n.uses = append(n.uses, use{kind: useNode, what: what, name: target, pos: r.pos(resolve(f.val))})
	}
}

func (r *reader) terminator(val *yaml.Node, where string) rune {
	v, ok := r.scalar(val, where, "terminator")
	if !ok {
		return 0
	}
	switch v.Value {
	case "":
		return 0
	case "#", "*":
		return rune(v.Value[0])
	}
	r.failf(v, where, `terminator: %q must be "#", "*" or "" (none)`, v.Value)
	return 0
}

// pattern compiles the regexp anchored at both ends: the spec promises the
// whole input must match, whatever anchors the author wrote.
func (r *reader) pattern(val *yaml.Node, where string) *regexp.Regexp {
	v, ok := r.scalar(val, where, "pattern")
	if !ok {
		return nil
	}
	re, err := regexp.Compile(`^(?:` + v.Value + `)$`)
	if err != nil {
		if _, plain := regexp.Compile(v.Value); plain != nil {
			err = plain
		}
		r.failf(v, where, "pattern: bad regexp: %v", err)
		return nil
	}
	return re
}

// setVarName is what a set node may name: the same shape as the variables
// collect, lookup and record nodes fill in.
var setVarName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// setVars reads a set node's "vars": a mapping of variable names to plain
// values, at least one.
func (r *reader) setVars(val *yaml.Node, where string) map[string]string {
	fs := r.mapping(val, where, "variable")
	if len(fs) == 0 {
		r.failf(resolveOr(val), where, "vars: at least one variable is needed")
		return nil
	}
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		if !setVarName.MatchString(f.key.Value) {
			r.failf(f.key, where, "vars: %q is not a variable name (lower-case letters, digits, _)", f.key.Value)
			continue
		}
		v, ok := r.scalar(f.val, where, "vars."+f.key.Value)
		if !ok {
			continue
		}
		if len(v.Value) > 64 {
			r.failf(v, where, "vars.%s: longer than 64 characters", f.key.Value)
			continue
		}
		out[f.key.Value] = v.Value
	}
	return out
}
