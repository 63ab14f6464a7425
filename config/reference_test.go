package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// referencePath is the configuration reference, relative to this package.
const referencePath = "../docs/configuration.md"

// refKey is one YAML key path the configuration accepts.
type refKey struct {
	typ  string // as the reference's type column spells it
	leaf bool   // a value; otherwise a section holding more keys
}

// referenceKeys walks the yaml tags of t and records every key path under
// prefix: "sip.security.ban_for", "queues.*.display_name" for the entries
// of a map, "agents[].skills" for the items of a list. Sections (structs,
// lists and maps of structs) are recorded too, so the reference may give
// them a row of their own; only the leaves must be there.
func referenceKeys(prefix string, t reflect.Type, out map[string]refKey) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// The keys are the ones the strict reader accepts, inlined structs
	// flattened as there.
	for name, ft := range yamlFields(t) {
		addReferenceKey(join(prefix, name), ft, out)
	}
}

func addReferenceKey(path string, t reflect.Type, out map[string]refKey) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case isSection(t):
		out[path] = refKey{typ: "section"}
		referenceKeys(path, t, out)
	case t.Kind() == reflect.Slice && isSection(t.Elem()):
		out[path] = refKey{typ: "list"}
		referenceKeys(path+"[]", t.Elem(), out)
	case t.Kind() == reflect.Map && isSection(t.Elem()):
		out[path] = refKey{typ: "map"}
		referenceKeys(path+".*", t.Elem(), out)
	default:
		// Flows and calendars stay raw YAML nodes: the ivr package reads
		// them, and the reference links the page that lists their keys.
		out[path] = refKey{typ: typeName(t), leaf: true}
	}
}

func isSection(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != nodeType && t != durationType
}

// typeName is how the reference names a value's type.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return "duration"
	case t == nodeType:
		return "mapping"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list of " + plural(typeName(t.Elem()))
	case reflect.Map:
		return "map of " + plural(typeName(t.Elem()))
	}
	return t.String()
}

// plural names several of a type: "strings", "lists of strings".
func plural(name string) string {
	if head, rest, ok := strings.Cut(name, " of "); ok {
		return head + "s of " + rest
	}
	return name + "s"
}

// docRow is one row of the reference's key tables.
type docRow struct {
	line                            int
	key, typ, def, applies, explain string
}

var (
	rowKey      = regexp.MustCompile("^`([a-z0-9_.*\\[\\]]+)`$")
	mdLink      = regexp.MustCompile(`\]\(([a-z0-9-]+\.md)(?:#([^)\s]+))?\)`)
	appliesWord = regexp.MustCompile(`^(reload|restart)\b`)
)

// readReference returns the rows of every table whose first column is a
// key path in backquotes; the columns are key, type, default, applies,
// explained in, meaning. Malformed rows are problems.
func readReference(r io.Reader) (rows []docRow, problems []string, err error) {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		m := rowKey.FindStringSubmatch(cells[0])
		switch {
		case m == nil:
			problems = append(problems, fmt.Sprintf("line %d: first column %s: want one key path in backquotes", n, cells[0]))
		case len(cells) != 6:
			problems = append(problems, fmt.Sprintf("line %d: key %s: want 6 columns (key, type, default, applies, explained in, meaning), got %d", n, m[1], len(cells)))
		default:
			rows = append(rows, docRow{line: n, key: m[1], typ: strings.Trim(cells[1], "`"),
				def: cells[2], applies: cells[3], explain: cells[4]})
		}
	}
	return rows, problems, sc.Err()
}

// referenceProblems compares the documented rows with the keys: every
// leaf has a row, every row names a key, and each row's type, default,
// applies and explained-in columns are filled in as they should be.
// anchors says whether a page of docs/ exists and has a heading.
func referenceProblems(keys map[string]refKey, rows []docRow, anchors func(page, anchor string) error) []string {
	var problems []string
	documented := map[string]int{}
	for _, r := range rows {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("line %d: key %s: ", r.line, r.key)+fmt.Sprintf(format, args...))
		}
		if prev, dup := documented[r.key]; dup {
			bad("documented twice (first at line %d)", prev)
			continue
		}
		documented[r.key] = r.line
		k, ok := keys[r.key]
		if !ok {
			bad("documented, but the config structs have no such key")
			continue
		}
		if r.typ != k.typ {
			bad("the type column says %q, the struct field is %q", r.typ, k.typ)
		}
		if r.def == "" {
			bad("the default column is empty (write — when there is none)")
		}
		if !appliesWord.MatchString(r.applies) {
			bad("applies column %q: want it to start with reload or restart", r.applies)
		}
		links := mdLink.FindAllStringSubmatch(r.explain, -1)
		if len(links) == 0 {
			bad("the explained-in column %q links no page", r.explain)
		}
		for _, l := range links {
			if err := anchors(l[1], l[2]); err != nil {
				bad("link %s: %v", l[0][2:len(l[0])-1], err)
			}
		}
	}
	var missing []string
	for path, k := range keys {
		if _, ok := documented[path]; k.leaf && !ok {
			missing = append(missing, path)
		}
	}
	slices.Sort(missing)
	for _, path := range missing {
		problems = append(problems, fmt.Sprintf("key %s (%s) is not documented: add a row for it", path, keys[path].typ))
	}
	return problems
}

// docsAnchors checks links against the pages next to the reference: the
// page exists and, when the link names an anchor, has that heading.
func docsAnchors(dir string) func(page, anchor string) error {
	return func(page, anchor string) error {
		data, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			return err
		}
		if anchor == "" {
			return nil
		}
		inCode := false // a "# comment" in a shell example is no heading
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "```") {
				inCode = !inCode
			}
			if !inCode && strings.HasPrefix(line, "#") && headingAnchor(line) == anchor {
				return nil
			}
		}
		return fmt.Errorf("%s has no heading for #%s", page, anchor)
	}
}

// headingAnchor is the anchor a Markdown renderer gives a heading: lower
// case, spaces to hyphens, punctuation dropped.
func headingAnchor(heading string) string {
	text := strings.TrimSpace(strings.TrimLeft(heading, "#"))
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestReferenceDocumentsEveryKey keeps docs/configuration.md and the
// config structs in step: every key a configuration file may hold has a
// row with its type, default, whether a reload applies it and the page
// that explains it, and no row names a key the structs do not have.
func TestReferenceDocumentsEveryKey(t *testing.T) {
	keys := map[string]refKey{}
	referenceKeys("", reflect.TypeOf(Config{}), keys)
	f, err := os.Open(filepath.FromSlash(referencePath))
	if err != nil {
		t.Fatalf("the configuration reference: %v", err)
	}
	defer f.Close()
	rows, problems, err := readReference(f)
	if err != nil {
		t.Fatalf("%s: %v", referencePath, err)
	}
	problems = append(problems, referenceProblems(keys, rows, docsAnchors(filepath.Dir(filepath.FromSlash(referencePath))))...)
	for _, p := range problems {
		t.Errorf("%s: %s", referencePath, p)
	}
	if len(rows) < len(keys)/2 {
		t.Errorf("%s: only %d key rows for %d keys: were the tables read?", referencePath, len(rows), len(keys))
	}
}

// The checker itself: a key missing from the page, a row for a key that
// does not exist, a wrong type and a dead link are each reported by name.
func TestReferenceCheckerReportsDrift(t *testing.T) {
	type Inner struct {
		Wait time.Duration `yaml:"wait"`
	}
	type sample struct {
		Name   string           `yaml:"name"`
		Skills map[string]int   `yaml:"skills"`
		Items  []Inner          `yaml:"items"`
		Byname map[string]Inner `yaml:"byname"`
		Opt    *Inner           `yaml:"opt"`
		Raw    yaml.Node        `yaml:"raw"`
		Inner  `yaml:",inline"`
		Hidden string `yaml:"-"`
	}
	keys := map[string]refKey{}
	referenceKeys("", reflect.TypeOf(sample{}), keys)
	var got []string
	for k, v := range keys {
		got = append(got, k+" "+v.typ)
	}
	slices.Sort(got)
	want := []string{"byname map", "byname.*.wait duration", "items list", "items[].wait duration",
		"name string", "opt section", "opt.wait duration", "raw mapping", "skills map of integers", "wait duration"}
	if !slices.Equal(got, want) {
		t.Fatalf("key paths:\n got %q\nwant %q", got, want)
	}

	doc := strings.Join([]string{
		"| key | type | default | applies | explained in | meaning |",
		"|---|---|---|---|---|---|",
		"| `name` | string | — | reload | [a](a.md) | x |",
		"| `skills` | map of integers | — | restart | [a](a.md#top) | x |",
		"| `items[].wait` | integer | 1s | reload | [a](a.md) | x |",
		"| `byname.*.wait` | duration | 1s | soon | [b](b.md) | x |",
		"| `opt` | section | absent | restart | [a](a.md#nowhere) | x |",
		"| `opt.colour` | string | — | reload | [a](a.md) | x |",
		"| `raw` | mapping | — | reload | none | x |",
		"| `name` | string | — | reload | [a](a.md) | twice |",
		"| `wait` | duration | 1s | reload |",
	}, "\n")
	rows, problems, err := readReference(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	pages := func(page, anchor string) error {
		if page != "a.md" {
			return fmt.Errorf("no page %s", page)
		}
		if anchor != "" && anchor != "top" {
			return fmt.Errorf("a.md has no heading for #%s", anchor)
		}
		return nil
	}
	problems = append(problems, referenceProblems(keys, rows, pages)...)
	for _, w := range []string{
		"line 11: key wait: want 6 columns",
		`line 5: key items[].wait: the type column says "integer", the struct field is "duration"`,
		`line 6: key byname.*.wait: applies column "soon"`,
		"line 6: key byname.*.wait: link b.md: no page b.md",
		"line 7: key opt: link a.md#nowhere: a.md has no heading for #nowhere",
		"line 8: key opt.colour: documented, but the config structs have no such key",
		`line 9: key raw: the explained-in column "none" links no page`,
		"line 10: key name: documented twice (first at line 3)",
		"key opt.wait (duration) is not documented",
		"key wait (duration) is not documented",
	} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("no problem starting %q in:\n%s", w, strings.Join(problems, "\n"))
		}
	}
	if len(problems) != 10 {
		t.Errorf("%d problems, want 10:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}

func TestHeadingAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"## Thresholds (per queue)":                                             "thresholds-per-queue",
		"### Toll fraud: who is called back, where, how often":                  "toll-fraud-who-is-called-back-where-how-often",
		"## Agent panel (`/agent`)":                                             "agent-panel-agent",
		"### Idle SIP connections over TCP and TLS":                             "idle-sip-connections-over-tcp-and-tls",
		"## Customer care: survey, sticky agent, repeat complainers, recording": "customer-care-survey-sticky-agent-repeat-complainers-recording",
	} {
		if got := headingAnchor(heading); got != want {
			t.Errorf("headingAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
}

func TestDocsAnchorsFindHeadingsOutsideCode(t *testing.T) {
	dir := t.TempDir()
	page := "# Page\n\n## Real heading\n\n```sh\n# watch events\n```\n"
	if err := os.WriteFile(filepath.Join(dir, "p.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	anchors := docsAnchors(dir)
	if err := anchors("p.md", "real-heading"); err != nil {
		t.Errorf("a real heading: %v", err)
	}
	if err := anchors("p.md", ""); err != nil {
		t.Errorf("the page itself: %v", err)
	}
	if err := anchors("p.md", "watch-events"); err == nil {
		t.Error("a shell comment in a code block was taken for a heading")
	}
	if err := anchors("gone.md", ""); err == nil {
		t.Error("a missing page was accepted")
	}
}
