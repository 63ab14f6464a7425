package ivr

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseFlows reads the value of the configuration's "flows:" key. file is
// only used to label errors. All problems found are returned together, in
// file order, as *PosError values joined with errors.Join. Cross-references
// (nodes, prompts, calendars, queues, languages) are checked by Validate.
func ParseFlows(file string, node *yaml.Node) (map[string]*Flow, error) {
	r := &reader{file: file}
	flows := make(map[string]*Flow)
	for _, f := range r.mapping(node, "flows", "flow") {
		flows[f.key.Value] = r.flow(f.key, f.val)
	}
	if err := joinInFileOrder(r.errs); err != nil {
		return nil, err
	}
	return flows, nil
}

var flowKeys = []string{"start", "language", "silence", "nodes"}

func (r *reader) flow(key, val *yaml.Node) *Flow {
	where := "flow " + key.Value
	fl := &Flow{
		Name:  key.Value,
		Nodes: make(map[string]*Node),
		pos:   r.pos(key),
		Silence: Silence{
			Timeout:  DefaultSilenceTimeout,
			Reprompt: []PromptRef{{Name: PromptHelloHelp}},
			Retries:  DefaultSilenceRetries,
			Goodbye:  []PromptRef{{Name: PromptCannotHear}},
		},
	}
	fs := r.mapping(val, where, "key")
	if fs == nil && isEmpty(val) {
		r.failf(key, where, "flow is empty")
		return fl
	}
	silenceUses := r.silenceDefaults(fl)
	var sawStart, sawNodes bool
	for _, f := range r.checkKeys(fs, where, flowKeys) {
		switch f.key.Value {
		case "start":
			sawStart = true
			fl.Start = r.str(f.val, where, "start")
			fl.uses = append(fl.uses, use{kind: useNode, what: "start", name: fl.Start, pos: r.pos(f.val)})
		case "language":
			fl.Language = r.str(f.val, where, "language")
			fl.uses = append(fl.uses, use{kind: useLanguage, what: "language", name: fl.Language, pos: r.pos(f.val)})
		case "silence":
			silenceUses = r.silence(fl, f.val, where, silenceUses)
		case "nodes":
			sawNodes = true
			r.nodes(fl, f.val, where)
		}
	}
	if !sawStart {
		r.failf(key, where, `missing key "start"`)
	}
	if !sawNodes || len(fl.Nodes) == 0 {
		r.failf(key, where, `missing or empty "nodes"`)
	}
	r.finishFlow(fl, silenceUses)
	return fl
}

// finishFlow fills defaults that depend on the whole flow, and records the
// silence prompts as references only when some node can actually wait for
// input — a play-only flow need not ship "cannot hear you" recordings.
func (r *reader) finishFlow(fl *Flow, silenceUses []use) {
	waits := false
	for _, n := range fl.Nodes {
		if n.Type == TypeCollect && n.FirstDigitTimeout == 0 {
			n.FirstDigitTimeout = fl.Silence.Timeout
		}
		if n.Type == TypeMenu || n.Type == TypeCollect {
			waits = true
		}
	}
	if waits {
		fl.uses = append(fl.uses, silenceUses...)
	}
}

func (r *reader) silenceDefaults(fl *Flow) []use {
	return []use{
		{kind: usePrompt, what: "silence reprompt (default)", prompt: fl.Silence.Reprompt[0], pos: fl.pos},
		{kind: usePrompt, what: "silence goodbye (default)", prompt: fl.Silence.Goodbye[0], pos: fl.pos},
	}
}

var silenceKeys = []string{"timeout", "reprompt", "retries", "goodbye"}

// silence reads the flow's silent-caller rule; explicitly given prompt lists
// replace the default references in uses.
func (r *reader) silence(fl *Flow, val *yaml.Node, flowWhere string, uses []use) []use {
	where := flowWhere + ": silence"
	for _, f := range r.checkKeys(r.mapping(val, where, "key"), where, silenceKeys) {
		switch f.key.Value {
		case "timeout":
			fl.Silence.Timeout = r.duration(f.val, where, "timeout")
		case "retries":
			fl.Silence.Retries = r.integer(f.val, where, "retries", 0)
		case "reprompt", "goodbye":
			var own []use
			list := r.prompts(f.val, where, f.key.Value, &own)
			uses = replaceUses(uses, "silence "+f.key.Value+" (default)", own)
			if f.key.Value == "reprompt" {
				fl.Silence.Reprompt = list
			} else {
				fl.Silence.Goodbye = list
			}
		}
	}
	return uses
}

func replaceUses(uses []use, what string, with []use) []use {
	out := make([]use, 0, len(uses)+len(with))
	for _, u := range uses {
		if u.what != what {
			out = append(out, u)
		}
	}
	return append(out, with...)
}

func (r *reader) nodes(fl *Flow, val *yaml.Node, flowWhere string) {
	for _, f := range r.mapping(val, flowWhere+": nodes", "node") {
		if n := r.node(fl, f.key, f.val); n != nil {
			fl.Nodes[n.Name] = n
		}
	}
}

// prompts reads a prompt list: "name" plays in the session's current
// language, "lang/name" always in that language.
func (r *reader) prompts(val *yaml.Node, where, key string, uses *[]use) []PromptRef {
	var out []PromptRef
	for _, item := range r.strings(val, where, key) {
		ref, err := parsePromptRef(item.Value)
		if err != nil {
			r.failf(item, where, "%s: %v", key, err)
			continue
		}
		out = append(out, ref)
		*uses = append(*uses, use{kind: usePrompt, what: key, prompt: ref, pos: r.pos(item)})
	}
	return out
}

func parsePromptRef(s string) (PromptRef, error) {
	lang, name, fixed := strings.Cut(s, "/")
	if !fixed {
		lang, name = "", s
	}
	switch {
	case name == "" || (fixed && lang == ""):
		return PromptRef{}, fmt.Errorf("bad prompt %q (want name or lang/name)", s)
	case strings.Contains(name, "/"):
		return PromptRef{}, fmt.Errorf("bad prompt %q: only one \"/\" allowed", s)
	case strings.ContainsAny(s, " \t"):
		return PromptRef{}, fmt.Errorf("bad prompt %q: contains spaces", s)
	}
	return PromptRef{Lang: lang, Name: name}, nil
}
