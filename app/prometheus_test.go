package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
)

const (
	rulesFile     = "../deploy/prometheus/rules.yml"
	exampleConfig = "../deploy/prometheus/prometheus.yml"
	dashboardFile = "../deploy/grafana/hotline.json"
)

// needTool finds an external program; CI must have it, a laptop may not.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (Debian package prometheus)", name)
	}
	fmt.Fprintf(os.Stderr, "SKIP: %s: %s not installed (apt-get install prometheus)\n", t.Name(), name)
	t.Skipf("%s not installed", name)
	return ""
}

func TestPromtoolAcceptsRulesAndExampleConfig(t *testing.T) {
	promtool := needTool(t, "promtool")
	for _, args := range [][]string{{"check", "rules", rulesFile}, {"check", "config", exampleConfig}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// dashboard is the part of a Grafana dashboard the tests check.
type dashboard struct {
	SchemaVersion int `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Multi      bool            `json:"multi"`
			IncludeAll bool            `json:"includeAll"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Title      string        `json:"title"`
	Type       string        `json:"type"`
	Datasource *panelSource  `json:"datasource"`
	Targets    []panelTarget `json:"targets"`
	Panels     []panel       `json:"panels"`
}

type panelSource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panelTarget struct {
	Datasource *panelSource `json:"datasource"`
	Expr       string       `json:"expr"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	return d
}

// dashboardExprs lists every query of the dashboard, rows unfolded.
func dashboardExprs(t *testing.T, d dashboard) []string {
	t.Helper()
	var exprs []string
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q does not use the datasource variable", p.Title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" || tg.Expr == "" {
					t.Errorf("panel %q: target %+v", p.Title, tg)
				}
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	walk(d.Panels)
	return exprs
}

// rulesDoc is the shape of a Prometheus rule file.
type rulesDoc struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Record string `yaml:"record"`
			Alert  string `yaml:"alert"`
			Expr   string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func loadRules(t *testing.T) rulesDoc {
	t.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc rulesDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("rules: %v", err)
	}
	return doc
}

var seriesName = regexp.MustCompile(`\bhotline_[a-z_]+`)

// baseSeries turns the raw series an expression reads into the family
// names /metrics shows; recorded series (queue:...) are not matched.
func baseSeries(expr string) []string {
	var names []string
	for _, loc := range seriesName.FindAllStringIndex(expr, -1) {
		if loc[0] > 0 && expr[loc[0]-1] == ':' {
			continue
		}
		name := expr[loc[0]:loc[1]]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			name = strings.TrimSuffix(name, suffix)
		}
		names = append(names, name)
	}
	return names
}

// placeAnsweredCall sends one caller through the IVR to agent, who
// answers, and returns once the agent's wrap-up is over, so every queue
// histogram has seen the call.
func placeAnsweredCall(t *testing.T, h *harness, agent *testphone.Phone) {
	t.Helper()
	_, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	h.events.wait(t, id, "wrap-up over", func(e call.Event) bool { return e.Kind == call.WrapupEnded })
}

// exportedFamilies reads the names of the families on the live /metrics page.
func exportedFamilies(t *testing.T, h *harness) map[string]bool {
	t.Helper()
	res, err := http.Get("http://" + h.srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]bool{}
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			families[strings.Fields(rest)[0]] = true
		}
	}
	return families
}

// eventOnlyFamilies appear on /metrics only once their first event has
// happened (an abandon, a transfer...), which one answered call does not
// cause, or once a feature the test configuration leaves out is used (a
// look-up service, a schedule); they are checked against the names in the
// metrics and workforce packages' source.
var eventOnlyFamilies = map[string]bool{
	"hotline_queue_abandoned_total":       true,
	"hotline_queue_short_abandoned_total": true,
	"hotline_lookups_total":               true,
	"hotline_team_adherence_ratio":        true,
}

func TestDashboardAndRulesReadOnlyExportedSeries(t *testing.T) {
	d := loadDashboard(t)
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d", d.SchemaVersion)
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		if v.Name == "queue" && (!v.Multi || !v.IncludeAll || !strings.Contains(string(v.Query), "label_values(hotline_queue_offered_total, queue)")) {
			t.Errorf("queue variable: %+v", v)
		}
		if v.Name == "datasource" && (v.Type != "datasource" || string(v.Query) != `"prometheus"`) {
			t.Errorf("datasource variable: %+v", v)
		}
	}
	if !vars["datasource"] || !vars["queue"] {
		t.Fatalf("template variables %v", vars)
	}
	exprs := dashboardExprs(t, d)
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}

	h := start(t, acdTestConfig, nil)
	placeAnsweredCall(t, h, h.agentPhone("1001", "pw1001", testphone.AutoAnswer))
	exported := exportedFamilies(t, h)
	used := map[string]bool{}
	for _, e := range exprs {
		for _, name := range baseSeries(e) {
			used[name] = true
		}
	}
	if len(used) < 15 {
		t.Errorf("only %d series used: %v", len(used), used)
	}
	var source []byte
	files, err := filepath.Glob("../metrics/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("metrics sources: %v", err)
	}
	more, err := filepath.Glob("../workforce/*.go")
	if err != nil || len(more) == 0 {
		t.Fatalf("workforce sources: %v", err)
	}
	files = append(files, more...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		source = append(source, b...)
	}
	for name := range used {
		switch {
		case exported[name]:
		case eventOnlyFamilies[name] && bytes.Contains(source, []byte(`"`+name+`"`)):
		default:
			t.Errorf("%s is queried but the server does not export it", name)
		}
	}
}
