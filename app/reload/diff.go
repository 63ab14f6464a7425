package reload

import (
	"bytes"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/config"
)

// The top-level keys a reload applies; every other key changed in the
// file needs a restart (listen addresses, RTP ports, database, tokens, …).
var reloadableKeys = map[string]bool{
	"numbers": true, "notice": true, "agents": true, "queues": true, "calendars": true, "flows": true,
	"supervisors": true, "repeat_complaints": true, "workforce": true,
}

// Per-queue and per-agent keys that other parts of the server read from
// the configuration they started with. Every per-queue key applies now
// (survey, sticky_agent, recording and callback: app applies them to the
// features); a queue's callback when virtual hold was off at
// start is reported by callback.Service.Reload.
var (
	queueRestartKeys = map[string]bool{}
	agentRestartKeys = map[string]bool{"require_secure": true}
)

// Describe lists, for the operator, what a reload from old to cfg applies.
func Describe(old, cfg *config.Config) []string {
	var out []string
	out = append(out, mapChanges("numbers", old.Numbers, cfg.Numbers, func(a, b string) []string {
		if a == b {
			return nil
		}
		return []string{"flow " + b}
	})...)
	out = append(out, nodeChanges("flows", &old.Flows, &cfg.Flows)...)
	out = append(out, nodeChanges("calendars", &old.Calendars, &cfg.Calendars)...)
	if !reflect.DeepEqual(old.Notice, cfg.Notice) {
		out = append(out, "notice: changed")
	}
	if !reflect.DeepEqual(old.RepeatComplaints, cfg.RepeatComplaints) {
		out = append(out, "repeat_complaints: changed")
	}
	out = append(out, mapChanges("supervisors", supervisorsByID(old), supervisorsByID(cfg), func(a, b config.Supervisor) []string {
		return changedKeys(a, b, nil) // key names only: never a password
	})...)
	out = append(out, mapChanges("queues", old.Queues, cfg.Queues, func(a, b config.Queue) []string {
		return changedKeys(a, b, queueRestartKeys)
	})...)
	out = append(out, mapChanges("agents", agentsByID(old), agentsByID(cfg), func(a, b config.Agent) []string {
		return changedKeys(a, b, agentRestartKeys)
	})...)
	for i, s := range out {
		if strings.HasPrefix(s, "queues.") && strings.HasSuffix(s, " removed") {
			out[i] = s + " (drains: its waiting callers stay until served)"
		}
	}
	return out
}

// RestartOnly lists the changes against the running configuration that a
// reload does not apply.
func RestartOnly(running, cfg *config.Config) []string {
	var out []string
	for _, key := range changedKeys(*running, *cfg, reloadableKeys) {
		out = append(out, key+": changed; restart to apply")
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Queues)) {
		for _, key := range onlyKeys(running.Queues[name], cfg.Queues[name], queueRestartKeys) {
			out = append(out, fmt.Sprintf("queues.%s.%s: changed; restart to apply", name, key))
		}
	}
	oldAgents := agentsByID(running)
	for _, a := range cfg.Agents {
		for _, key := range onlyKeys(oldAgents[a.ID], a, agentRestartKeys) {
			out = append(out, fmt.Sprintf("agents.%s.%s: changed; restart to apply", a.ID, key))
		}
	}
	return out
}

func supervisorsByID(cfg *config.Config) map[string]config.Supervisor {
	out := make(map[string]config.Supervisor, len(cfg.Supervisors))
	for _, sup := range cfg.Supervisors {
		out[sup.ID] = sup
	}
	return out
}

func agentsByID(cfg *config.Config) map[string]config.Agent {
	out := make(map[string]config.Agent, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out[a.ID] = a
	}
	return out
}

// mapChanges reports added, removed and changed entries of a keyed
// section; diff names what changed in an entry (nil: unchanged).
func mapChanges[V any](section string, old, cur map[string]V, diff func(a, b V) []string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(cur)) {
		prev, ok := old[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s.%s added", section, k))
		default:
			if d := diff(prev, cur[k]); len(d) > 0 {
				out = append(out, fmt.Sprintf("%s.%s changed (%s)", section, k, strings.Join(d, ", ")))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(old)) {
		if _, ok := cur[k]; !ok {
			out = append(out, fmt.Sprintf("%s.%s removed", section, k))
		}
	}
	return out
}

// nodeChanges compares a YAML mapping entry by entry, by content: moving
// a flow in the file is not a change.
func nodeChanges(section string, old, cur *yaml.Node) []string {
	return mapChanges(section, nodeEntries(old), nodeEntries(cur), func(a, b string) []string {
		if a == b {
			return nil
		}
		return []string{"content"}
	})
}

func nodeEntries(n *yaml.Node) map[string]string {
	out := map[string]string{}
	if n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		_ = enc.Encode(stripPositions(n.Content[i+1]))
		out[n.Content[i].Value] = buf.String()
	}
	return out
}

// stripPositions copies a node without line, column, style and comments,
// so two nodes compare by what they say.
func stripPositions(n *yaml.Node) *yaml.Node {
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor}
	for _, child := range n.Content {
		c.Content = append(c.Content, stripPositions(child))
	}
	if n.Alias != nil {
		c.Alias = stripPositions(n.Alias)
	}
	return c
}

// changedKeys lists the YAML keys of struct fields that differ, leaving
// out skip. a and b are the same struct type.
func changedKeys(a, b any, skip map[string]bool) []string {
	return fieldKeys(a, b, func(key string) bool { return !skip[key] })
}

// onlyKeys lists the differing YAML keys among only.
func onlyKeys(a, b any, only map[string]bool) []string {
	return fieldKeys(a, b, func(key string) bool { return only[key] })
}

func fieldKeys(a, b any, want func(string) bool) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || key == "" || key == "-" || !want(key) {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if n, ok := x.(yaml.Node); ok {
			m := y.(yaml.Node)
			if !reflect.DeepEqual(nodeEntries(&n), nodeEntries(&m)) {
				out = append(out, key)
			}
			continue
		}
		if !reflect.DeepEqual(x, y) {
			out = append(out, key) // names only: a password change reads "password"
		}
	}
	slices.Sort(out)
	return out
}
