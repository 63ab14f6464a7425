package archtest

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"
)

// The house limits (docs/architecture.md, "Packages"): a file of about 400
// lines, a function of about 80 and a package of about 2 000 lines besides
// its tests. The checks leave a small margin, so that they catch a part
// growing past its size, not a line of comment.
const (
	maxFileLines     = 420
	maxFuncLines     = 90
	maxPackageLines  = 2050
	sizeLimitsReason = "split it along its seams (docs/architecture.md, \"Where the code is going\")"
)

func TestNoFileFunctionOrPackageOutgrowsTheHouseLimits(t *testing.T) {
	mt := loadTree(t)
	for _, p := range mt.sorted() {
		dir := filepath.Join(mt.root, filepath.FromSlash(p.rel))
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		codeLines := 0
		for _, e := range entries {
			if e.IsDir() || filepath.Ext(e.Name()) != ".go" {
				continue
			}
			lines, isTest := checkFileSize(t, filepath.Join(dir, e.Name()), p.rel+"/"+e.Name())
			if !isTest {
				codeLines += lines
			}
		}
		if codeLines > maxPackageLines {
			t.Errorf("%s has %d lines besides its tests (about %d at most): %s", p.rel, codeLines, 2000, sizeLimitsReason)
		}
	}
}

// checkFileSize checks one file and its functions, and returns its lines
// and whether it is a test file.
func checkFileSize(t *testing.T, path, name string) (lines int, isTest bool) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines = bytes.Count(src, []byte("\n"))
	if lines > maxFileLines {
		t.Errorf("%s has %d lines (about 400 at most): %s", name, lines, sizeLimitsReason)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parsing %s: %v", name, err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
		if n > maxFuncLines {
			t.Errorf("%s: %s has %d lines (about 80 at most): cut it into named steps", name, fn.Name.Name, n)
		}
	}
	return lines, len(name) > 8 && name[len(name)-8:] == "_test.go"
}
