package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone"
)

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
