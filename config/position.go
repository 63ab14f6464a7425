package config

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// keyPath is the dotted key path an error message starts with, such as
// "sip.security.ban_for" or "agents[2]": validation messages name the key
// they are about first, so the error can point at that key's own line.
func keyPath(msg string) string {
	end := strings.IndexAny(msg, " :\t\"")
	if end < 0 {
		end = len(msg)
	}
	return msg[:end]
}

// pathSegments splits "a.b[2].c" into "a", "b", "[2]", "c".
func pathSegments(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part[1:], '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			out = append(out, part[:i+1])
			part = part[i+1:]
		}
	}
	return out
}

// locate finds the node a key path names under doc: for a mapping key the
// key itself (its line is where the operator wrote it), for a list index
// the item. A path that leaves the document stops at the deepest node it
// reached, which is nil when not even the first key is there.
func locate(doc *yaml.Node, path string) *yaml.Node {
	var found *yaml.Node
	n := doc
	for _, seg := range pathSegments(path) {
		if n == nil {
			break
		}
		var next, at *yaml.Node
		if idx, ok := strings.CutPrefix(seg, "["); ok {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err == nil && n.Kind == yaml.SequenceNode && i >= 0 && i < len(n.Content) {
				next, at = n.Content[i], n.Content[i]
			}
		} else if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					next, at = n.Content[i+1], n.Content[i]
				}
			}
		}
		if at == nil {
			break
		}
		found, n = at, next
	}
	return found
}
