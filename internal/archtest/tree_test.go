package archtest

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// pkg is one directory of Go files of the module, as far as these tests
// need it.
type pkg struct {
	rel      string // path below the module root, "." for the root
	doc      string // package comment of the non-test files
	testDoc  string // package comment of the test files (test-only packages)
	hasCode  bool   // it has non-test files
	imports  map[string]bool
	nonTests []*ast.File
	fileName map[*ast.File]string // path below the module root
}

// moduleTree is the module as read once for all tests of this package.
type moduleTree struct {
	root   string
	module string
	pkgs   map[string]*pkg
}

var tree *moduleTree

func loadTree(t *testing.T) *moduleTree {
	t.Helper()
	if tree != nil {
		return tree
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	module := readModulePath(t, filepath.Join(root, "go.mod"))
	mt := &moduleTree{root: root, module: module, pkgs: map[string]*pkg{}}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		return mt.addFile(t, path)
	})
	if err != nil {
		t.Fatalf("reading the module: %v", err)
	}
	tree = mt
	return mt
}

func readModulePath(t *testing.T, goMod string) string {
	t.Helper()
	b, err := os.ReadFile(goMod)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("%s names no module", goMod)
	return ""
}

func (mt *moduleTree) addFile(t *testing.T, path string) error {
	dir, name := filepath.Split(path)
	if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
		return err // a file for another platform or behind a build tag
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	rel, _ := filepath.Rel(mt.root, filepath.Clean(dir))
	rel = filepath.ToSlash(rel)
	p := mt.pkgs[rel]
	if p == nil {
		p = &pkg{rel: rel, imports: map[string]bool{}, fileName: map[*ast.File]string{}}
		mt.pkgs[rel] = p
	}
	doc := ""
	if f.Doc != nil {
		doc = f.Doc.Text()
	}
	if strings.HasSuffix(name, "_test.go") {
		if p.testDoc == "" {
			p.testDoc = doc
		}
		return nil
	}
	p.hasCode = true
	if p.doc == "" {
		p.doc = doc
	}
	p.nonTests = append(p.nonTests, f)
	p.fileName[f] = rel + "/" + name
	for _, imp := range f.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		if rest, ok := strings.CutPrefix(ip, mt.module+"/"); ok {
			p.imports[rest] = true
		}
	}
	return nil
}

// sorted returns the module's packages in path order.
func (mt *moduleTree) sorted() []*pkg {
	out := make([]*pkg, 0, len(mt.pkgs))
	for _, p := range mt.pkgs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// under reports whether path is prefix or inside it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}
