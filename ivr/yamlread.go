package ivr

import (
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// reader walks yaml.Nodes by hand rather than decoding into structs, so every
// error keeps its line and column and duplicate keys are caught even when the
// caller hands over an already-parsed node.
type reader struct {
	file string
	errs []*PosError
}

type field struct {
	key, val *yaml.Node
}

func (r *reader) pos(n *yaml.Node) position {
	return position{File: r.file, Line: n.Line, Col: n.Column}
}

func (r *reader) failf(n *yaml.Node, where, format string, args ...any) {
	r.errs = append(r.errs, r.pos(n).errorf(where, format, args...))
}

// resolve follows aliases and unwraps documents; anchors let a file reuse a
// prompt list or a whole node.
func resolve(n *yaml.Node) *yaml.Node {
	for depth := 0; n != nil && depth < 16; depth++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// isEmpty reports an absent or null value (e.g. "flows:" with nothing under it).
func isEmpty(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// mapping returns the key/value pairs of a mapping node in file order,
// reporting duplicates. what names a key in messages ("key", "digit").
func (r *reader) mapping(n *yaml.Node, where, what string) []field {
	n = resolve(n)
	if isEmpty(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.failf(n, where, "expected a mapping")
		return nil
	}
	seen := make(map[string]*yaml.Node)
	var out []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			r.failf(n.Content[i], where, "%s must be a plain value", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			r.failf(k, where, "%s %q used twice (first at line %d)", what, k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, field{key: k, val: v})
	}
	return out
}

// checkKeys reports keys outside allowed; typos must not be silently ignored.
func (r *reader) checkKeys(fs []field, where string, allowed []string) []field {
	var ok []field
	for _, f := range fs {
		if !contains(allowed, f.key.Value) {
			r.failf(f.key, where, "unknown key %q (allowed: %s)", f.key.Value, strings.Join(allowed, ", "))
			continue
		}
		ok = append(ok, f)
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// resolveOr is resolve that never loses the position of the original node.
func resolveOr(n *yaml.Node) *yaml.Node {
	if v := resolve(n); v != nil {
		return v
	}
	return n
}

func (r *reader) scalar(n *yaml.Node, where, key string) (*yaml.Node, bool) {
	v := resolve(n)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		if v == nil {
			v = n
		}
		r.failf(v, where, "%s: expected a single value", key)
		return nil, false
	}
	return v, true
}

func (r *reader) str(n *yaml.Node, where, key string) string {
	v, ok := r.scalar(n, where, key)
	if !ok {
		return ""
	}
	if v.Value == "" {
		r.failf(v, where, "%s: must not be empty", key)
	}
	return v.Value
}

func (r *reader) integer(n *yaml.Node, where, key string, min int) int {
	v, ok := r.scalar(n, where, key)
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(v.Value)
	if err != nil {
		r.failf(v, where, "%s: %q is not a whole number", key, v.Value)
		return 0
	}
	if i < min {
		r.failf(v, where, "%s: must be at least %d", key, min)
	}
	return i
}

func (r *reader) boolean(n *yaml.Node, where, key string) bool {
	v, ok := r.scalar(n, where, key)
	if !ok {
		return false
	}
	switch v.Value {
	case "true":
		return true
	case "false":
		return false
	}
	r.failf(v, where, "%s: %q is not true or false", key, v.Value)
	return false
}

func (r *reader) duration(n *yaml.Node, where, key string) time.Duration {
	v, ok := r.scalar(n, where, key)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil {
		r.failf(v, where, "%s: bad duration %q (want e.g. 5s or 1m30s)", key, v.Value)
		return 0
	}
	if d <= 0 {
		r.failf(v, where, "%s: duration must be positive", key)
	}
	return d
}

// strings reads a list of plain values; a lone value counts as a list of one.
func (r *reader) strings(n *yaml.Node, where, key string) []*yaml.Node {
	v := resolve(n)
	if v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
		return []*yaml.Node{v}
	}
	if v == nil || v.Kind != yaml.SequenceNode {
		if v == nil {
			v = n
		}
		r.failf(v, where, "%s: expected a list", key)
		return nil
	}
	var out []*yaml.Node
	for _, item := range v.Content {
		if s, ok := r.scalar(item, where, key); ok {
			out = append(out, s)
		}
	}
	return out
}
