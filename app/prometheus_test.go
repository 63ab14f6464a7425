package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
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

// freePort reserves a loopback port for a child process that cannot be
// told to use :0 and report back.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// promServer is a real Prometheus scraping the test server.
type promServer struct {
	t    *testing.T
	base string
	log  *bytes.Buffer
}

func startPrometheus(t *testing.T, target string) *promServer {
	t.Helper()
	binary := needTool(t, "prometheus")
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: hotline
    static_configs: [{targets: [%q]}]
`, rules, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(binary, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen, "--log.level=warn")
	p := &promServer{t: t, base: "http://" + listen, log: &bytes.Buffer{}}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("prometheus: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", p.log)
		}
	})
	p.poll(func() string { return "readiness" }, func() bool {
		res, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return p
}

// poll retries cond until it holds; Prometheus scrapes and evaluates on
// its own schedule, so there is no event to wait for.
func (p *promServer) poll(what func() string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			p.t.Fatalf("prometheus: timed out waiting for %s", what())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// api fetches one Prometheus HTTP API path and decodes its data field.
func (p *promServer) api(path string, data any) error {
	res, err := http.Get(p.base + path)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var reply struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reply); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if reply.Status != "success" {
		return fmt.Errorf("%s: %s", path, reply.Error)
	}
	return json.Unmarshal(reply.Data, data)
}

// vector runs an instant query and returns its samples by label set.
func (p *promServer) vector(query string) (map[string]string, error) {
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := p.api("/api/v1/query?query="+url.QueryEscape(query), &data); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range data.Result {
		keys := make([]string, 0, len(r.Metric))
		for k, v := range r.Metric {
			if k != "instance" && k != "job" {
				keys = append(keys, k+"="+v)
			}
		}
		sort.Strings(keys)
		value, _ := r.Value[1].(string)
		out[strings.Join(keys, ",")] = value
	}
	return out, nil
}

// waitValue polls query until the series with labels has value want.
func (p *promServer) waitValue(query, labels, want string) {
	p.t.Helper()
	var last map[string]string
	p.poll(func() string { return fmt.Sprintf("%s{%s} = %s, last %v", query, labels, want, last) }, func() bool {
		var err error
		if last, err = p.vector(query); err != nil {
			p.t.Fatal(err)
		}
		return last[labels] == want
	})
}

type ruleHealth struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Health string `json:"health"`
	Error  string `json:"lastError"`
}

func (p *promServer) rules() ([]ruleHealth, error) {
	var data struct {
		Groups []struct {
			Rules []ruleHealth `json:"rules"`
		} `json:"groups"`
	}
	if err := p.api("/api/v1/rules", &data); err != nil {
		return nil, err
	}
	var all []ruleHealth
	for _, g := range data.Groups {
		all = append(all, g.Rules...)
	}
	return all, nil
}

// Labelled counters appear at their first event, and increase() cannot
// see the step from "absent" to 1; a second call makes the 30-minute
// rules report a real rise.
func TestRealPrometheusScrapesCallsAndEvaluatesRules(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	prom := startPrometheus(t, h.srv.HTTPAddr())
	prom.waitValue(`up{job="hotline"}`, "__name__=up", "1")

	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	placeAnsweredCall(t, h, agent)
	prom.waitValue("hotline_queue_offered_total", "__name__=hotline_queue_offered_total,queue=general", "1")
	placeAnsweredCall(t, h, agent)
	prom.waitValue("hotline_calls_total", "__name__=hotline_calls_total,result=answered_by_agent", "2")
	prom.waitValue("hotline_queue_wait_seconds_count", "__name__=hotline_queue_wait_seconds_count,outcome=answered,queue=general", "2")
	for _, recorded := range []string{"queue:hotline_service_level:ratio_rate30m", "queue:hotline_queue_offered:increase30m", "queue:hotline_asa:seconds_rate30m"} {
		prom.waitValue(recorded+` > bool 0`, "queue=general", "1")
	}
	prom.waitValue(`queue:hotline_abandon:ratio_rate30m`, "__name__=queue:hotline_abandon:ratio_rate30m,queue=general", "0")
	prom.waitValue(`queue:hotline_agents_logged_in:sum`, "__name__=queue:hotline_agents_logged_in:sum,queue=general", "1")

	var want []string
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			want = append(want, r.Record+r.Alert)
		}
	}
	var got []ruleHealth
	prom.poll(func() string { return fmt.Sprintf("every rule healthy: %+v", got) }, func() bool {
		var err error
		if got, err = prom.rules(); err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.Health != "ok" {
				return false
			}
		}
		return len(got) == len(want)
	})
	names := make([]string, 0, len(got))
	alerts := 0
	for _, r := range got {
		names = append(names, r.Name)
		if r.Type == "alerting" {
			alerts++
		}
	}
	sort.Strings(names)
	sort.Strings(want)
	if strings.Join(names, " ") != strings.Join(want, " ") || alerts < 5 {
		t.Errorf("loaded rules %v (%d alerts), want %v", names, alerts, want)
	}

	// Every dashboard query must be valid PromQL for this Prometheus.
	for _, expr := range dashboardExprs(t, loadDashboard(t)) {
		if _, err := prom.vector(strings.ReplaceAll(expr, "$queue", ".*")); err != nil {
			t.Errorf("dashboard query %s: %v", expr, err)
		}
	}
}
