package archtest

import (
	"go/ast"
	"strings"
	"testing"
)

// features are the packages that plug into the call through hooks; none of
// them may import the call path or another feature.
var features = []string{"care", "callback", "selfservice", "quality", "tickets", "monitor", "workforce"}

// importRule is one sentence of docs/architecture.md about which way the
// imports point, as a check on one package's imports.
type importRule struct {
	says    string
	applies func(p *pkg) bool
	refuses func(p *pkg, imp string) bool
}

func anyUnder(path string, prefixes ...string) bool {
	for _, prefix := range prefixes {
		if under(path, prefix) {
			return true
		}
	}
	return false
}

var importRules = []importRule{
	{
		says:    "only cmd/hotline imports app and its sub-packages (they are the composition root)",
		applies: func(p *pkg) bool { return !anyUnder(p.rel, "cmd/hotline", "app") },
		refuses: func(_ *pkg, imp string) bool { return under(imp, "app") },
	},
	{
		says:    "app's sub-packages are handed their parts; they never import app",
		applies: func(p *pkg) bool { return strings.HasPrefix(p.rel, "app/") },
		refuses: func(_ *pkg, imp string) bool { return imp == "app" },
	},
	{
		says:    "acd and ivr are pure: they never import sip, media, queueing, the call path or the store",
		applies: func(p *pkg) bool { return anyUnder(p.rel, "acd", "ivr") },
		refuses: func(_ *pkg, imp string) bool {
			return anyUnder(imp, "sip", "media", "queueing", "callflow", "callleg", "store", "web", "cluster")
		},
	},
	{
		says:    "queueing knows no SIP, media, IVR or feature",
		applies: func(p *pkg) bool { return under(p.rel, "queueing") },
		refuses: func(_ *pkg, imp string) bool {
			return anyUnder(imp, "sip", "media", "ivr", "callflow") || anyUnder(imp, features...)
		},
	},
	{
		says:    "a feature imports neither the call path nor another feature (app plugs it into callflow's hooks)",
		applies: func(p *pkg) bool { return anyUnder(p.rel, features...) },
		refuses: func(p *pkg, imp string) bool {
			if under(imp, "callflow") {
				return true
			}
			for _, f := range features {
				if under(imp, f) && !under(p.rel, f) {
					return true
				}
			}
			return false
		},
	},
	{
		says:    "call (the events and the bus) imports nothing of ours",
		applies: func(p *pkg) bool { return p.rel == "call" },
		refuses: func(_ *pkg, _ string) bool { return true },
	},
	{
		says:    "web's sub-packages never import web, which mounts them",
		applies: func(p *pkg) bool { return strings.HasPrefix(p.rel, "web/") },
		refuses: func(_ *pkg, imp string) bool { return imp == "web" },
	},
	{
		says:    "the table packages of the store never import the store or each other",
		applies: func(p *pkg) bool { return strings.HasPrefix(p.rel, "store/") && strings.HasSuffix(p.rel, "sql") },
		refuses: func(p *pkg, imp string) bool {
			return imp == "store" || (strings.HasSuffix(imp, "sql") && imp != "store/reportsql" && imp != p.rel && strings.HasPrefix(imp, "store/"))
		},
	},
	{
		says:    "the election never imports cluster (the Leader reaches it through one method)",
		applies: func(p *pkg) bool { return under(p.rel, "cluster/election") },
		refuses: func(_ *pkg, imp string) bool { return imp == "cluster" },
	},
	{
		says:    "the config sections' packages never import config, which places their errors",
		applies: func(p *pkg) bool { return strings.HasPrefix(p.rel, "config/") },
		refuses: func(_ *pkg, imp string) bool { return imp == "config" },
	},
	{
		says:    "the test phone checks the server independently: it imports nothing of ours but its own parts and the G.722 codec",
		applies: func(p *pkg) bool { return under(p.rel, "internal/testphone") },
		refuses: func(_ *pkg, imp string) bool {
			return !under(imp, "internal/testphone") && imp != "media/g722"
		},
	},
	{
		says:    "the OpenAPI and Chromium test helpers import nothing of ours",
		applies: func(p *pkg) bool { return anyUnder(p.rel, "internal/openapicheck", "internal/chromiumtest") },
		refuses: func(_ *pkg, _ string) bool { return true },
	},
	{
		says:    "the benchmark kit sees the server only from outside",
		applies: func(p *pkg) bool { return under(p.rel, "bench/internal/benchkit") },
		refuses: func(_ *pkg, imp string) bool { return !strings.Contains(imp, "internal/") },
	},
	{
		says:    "nothing in the server imports a package for tests",
		applies: func(p *pkg) bool { return p.hasCode && !support(p) },
		refuses: func(_ *pkg, imp string) bool {
			return anyUnder(imp, "internal", "cluster/internal", "store/internal", "web/internal", "bench")
		},
	},
}

func TestImportsPointTheWayTheArchitecturePageSays(t *testing.T) {
	for _, p := range loadTree(t).sorted() {
		for _, rule := range importRules {
			if !rule.applies(p) {
				continue
			}
			for imp := range p.imports {
				if rule.refuses(p, imp) {
					t.Errorf("%s imports %s, but %s", p.rel, imp, rule.says)
				}
			}
		}
	}
}

// purePackages never read the wall clock nor start goroutines: they are
// given the time, and their callers own the timers.
var purePackages = []string{
	"acd", "ivr/interp", "cluster/routing", "metrics/rolling", "workforce/rules",
	"store/cdr", "store/report", "dialpolicy", "media/mix", "media/rtpstats",
	"media/playout", "media/sdp", "call",
}

// wallClock are the time functions that read or wait on the real clock.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"Tick": true, "NewTimer": true, "NewTicker": true, "AfterFunc": true,
}

func TestPurePackagesNeitherReadTheClockNorStartGoroutines(t *testing.T) {
	for _, p := range loadTree(t).sorted() {
		if !anyUnder(p.rel, purePackages...) {
			continue
		}
		for _, f := range p.nonTests {
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.GoStmt:
					t.Errorf("%s starts a goroutine (%s): pure packages leave that to their caller", p.rel, p.fileName[f])
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && id.Name == "time" && wallClock[x.Sel.Name] && importsTime(f) {
						if p.rel == "ivr/interp" && x.Sel.Name == "AfterFunc" {
							return true // the default Timers of Run, which tests replace
						}
						t.Errorf("%s uses time.%s (%s): pure packages are given the time", p.rel, x.Sel.Name, p.fileName[f])
					}
				}
				return true
			})
		}
	}
}

func importsTime(f *ast.File) bool {
	for _, imp := range f.Imports {
		if imp.Path.Value == `"time"` && imp.Name == nil {
			return true
		}
	}
	return false
}
