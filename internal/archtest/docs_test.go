package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// support reports whether a package is there for tests, benchmarks,
// deployment checks or developers' tools rather than the server: those are
// named on the architecture page but need no row in its package table.
func support(p *pkg) bool {
	for _, part := range strings.Split(p.rel, "/") {
		if part == "internal" {
			return true
		}
	}
	for _, top := range []string{"bench", "test", "deploy", "prompts/gen"} {
		if under(p.rel, top) {
			return true
		}
	}
	return !p.hasCode
}

// limits are the words a package comment uses to say what the package must
// not do ("must not", "never", "no clock", "only").
var limits = regexp.MustCompile(`(?i)\b(not|never|nothing|no|only|nor)\b`)

func TestEveryPackageSaysWhatItOwnsAndWhatItMustNotDo(t *testing.T) {
	for _, p := range loadTree(t).sorted() {
		doc, where := p.doc, "its non-test files"
		if !p.hasCode {
			doc, where = p.testDoc, "its test files (it has no other)"
		}
		switch {
		case strings.TrimSpace(doc) == "":
			t.Errorf("%s: no package comment in %s; add a doc.go saying what it owns and what it must not do", p.rel, where)
		case !limits.MatchString(doc):
			t.Errorf("%s: the package comment says what it owns but not what it must not do", p.rel)
		}
	}
}

// architecturePage returns docs/architecture.md and the names in the first
// column of the tables of its section on packages.
func architecturePage(t *testing.T) (string, map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(loadTree(t).root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	name := regexp.MustCompile("`([^`]+)`")
	inTable := false // in the section "Packages: what each owns and may import"
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			inTable = strings.HasPrefix(line, "## Packages")
		}
		cells := strings.Split(line, "|")
		if !inTable || !strings.HasPrefix(line, "| `") || len(cells) < 3 {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			rows[m[1]] = true
		}
	}
	return string(b), rows
}

func TestEveryPackageIsOnTheArchitecturePage(t *testing.T) {
	page, rows := architecturePage(t)
	for _, p := range loadTree(t).sorted() {
		if p.rel == "." {
			continue
		}
		if support(p) {
			if !strings.Contains(page, "`"+p.rel+"`") {
				t.Errorf("%s: docs/architecture.md does not name it (as `%s`); say what it is for", p.rel, p.rel)
			}
			continue
		}
		if !rows[p.rel] {
			t.Errorf("%s: no row in the package table of docs/architecture.md (what it owns, what it must not do)", p.rel)
		}
	}
	for name := range rows {
		if _, ok := loadTree(t).pkgs[name]; !ok {
			t.Errorf("docs/architecture.md has a row for %s, which is not a package", name)
		}
	}
}
