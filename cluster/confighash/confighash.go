// Package confighash hashes a configuration in a canonical form, section
// by section, so that the nodes of a cluster can tell whether they run the
// same file without sending it: the decoded values with defaults applied,
// as JSON with sorted keys, node-local keys left out.
//
// What it must not do: read files, or publish anything (package cluster
// publishes the hashes).
package confighash

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/config"
)

// NodeLocalKeys are left out of the configuration hash: what each node
// sets for itself (addresses, ports, paths, logs, its id and its own
// capacity). Everything else must be the same on every node.
var NodeLocalKeys = []string{
	"sip.listen", "sip.advertise", "sip.tls",
	"sip.max_calls", "sip.max_calls_per_second", "sip.max_cpu_percent",
	"http.listen",
	"rtp.address", "rtp.advertise", "rtp.ports", "rtp.pacer_workers",
	"data_dir", "prompts_dir", "log",
	"cluster.node_id", "cluster.ca_file", "cluster.cert_file", "cluster.key_file",
}

// Sections hashes each top-level section of a configuration in a
// canonical form: the decoded values (defaults applied) as JSON with
// sorted keys, so comments, key order, quoting and spelled-out defaults
// do not count, and node-local keys are left out.
func Sections(c *config.Config) (map[string]string, error) {
	raw, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("confighash: configuration hash: %w", err)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("confighash: configuration hash: %w", err)
	}
	for _, k := range NodeLocalKeys {
		dropPath(tree, strings.Split(k, "."))
	}
	out := make(map[string]string, len(tree))
	for name, v := range tree {
		data, err := json.Marshal(canonical(v))
		if err != nil {
			return nil, fmt.Errorf("confighash: configuration hash of %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		out[name] = hex.EncodeToString(sum[:])
	}
	return out, nil
}

// Hash is one hash over every section's hash.
func Hash(sections map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(sections)) {
		fmt.Fprintf(h, "%s=%s\n", k, sections[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Diff names the sections whose hashes differ, or that only one
// side has, sorted.
func Diff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func dropPath(m map[string]any, path []string) {
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	if sub, ok := m[path[0]].(map[string]any); ok {
		dropPath(sub, path[1:])
	}
}

// canonical turns YAML's maps with non-string keys (numbers as keys in
// flows) into maps JSON can write; json.Marshal then sorts the keys.
func canonical(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = canonical(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = canonical(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = canonical(x)
		}
		return out
	default:
		return v
	}
}
