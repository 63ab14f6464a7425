package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// reloadFixture points the server's reload at a file the test rewrites,
// keeping the addresses and data directory the harness chose.
func reloadFixture(t *testing.T, h *harness) (write func(body string)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hotline.yaml")
	running := h.srv.cfg
	h.srv.SetConfigSource(func() (*config.Config, error) {
		cfg, err := config.LoadFile(path)
		if err != nil {
			return nil, err
		}
		cfg.DataDir, cfg.SIP.Listen, cfg.HTTP.Listen = running.DataDir, running.SIP.Listen, running.HTTP.Listen
		return cfg, nil
	})
	return func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// reloadedACD is testdata/acd.yaml with a sales queue, an agent for it and
// a menu that offers it on 3.
func reloadedACD(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(acdTestConfig)
	if err != nil {
		t.Fatal(err)
	}
	body := string(data)
	for from, to := range map[string]string{
		"queues:\n": "queues:\n  sales: {strategy: round-robin, ring_timeout: 5s, wrapup: 0s, announce_every: 0s}\n",
		"  - {id: \"1002\"": "  - {id: \"1003\", name: New Hire, work_number: \"4096\", password: pw1003, queues: [sales]}\n" +
			"  - {id: \"1002\"",
		`options: {"0": general, "2": billing, "1": served}`: `options: {"0": general, "2": billing, "1": served, "3": sales}`,
		"prompts: [digit_2]": "prompts: [digit_5]",
		"      billing: {type: queue, queue: billing}\n": "      billing: {type: queue, queue: billing}\n" +
			"      sales: {type: queue, queue: sales}\n",
	} {
		if !strings.Contains(body, from) {
			t.Fatalf("%s no longer contains %q", acdTestConfig, from)
		}
		body = strings.Replace(body, from, to, 1)
	}
	return body
}

func TestReloadKeepsCallsAndAppliesNewConfig(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	write := reloadFixture(t, h)

	// A caller waits in general (nobody is logged in) and another is in
	// the IVR menu of the flow as it was.
	_, waitingID := h.dialAndPress("0")
	h.events.wait(t, waitingID, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	inIVR := h.dial(h.phone("udp"), "95598")
	h.events.waitNode(t, inIVR.CallID(), "menu")

	write(reloadedACD(t))
	code, body := h.apiRequest(t, "POST", "/reload", adminToken, "")
	var res ReloadResult
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
		t.Fatalf("reload: %d %s", code, body)
	}
	changes := strings.Join(res.Changed, "; ")
	for _, want := range []string{"queues.sales added", "agents.1003 added", "flows.main changed"} {
		if !strings.Contains(changes, want) {
			t.Errorf("changes %q lack %q", changes, want)
		}
	}
	if len(res.NeedsRestart) != 0 {
		t.Errorf("needs restart: %v", res.NeedsRestart)
	}

	// The call in the IVR finishes on its old flow, where 3 is no option.
	press(t, inIVR, "31")
	end := h.events.waitEnd(t, inIVR.CallID())
	if path := h.events.path(inIVR.CallID()); end.Result != call.ResultSelfService || slices.Contains(path, "sales") {
		t.Fatalf("old call ended %s; path %v", end.Result, path)
	}
	// The waiting caller is still in general.
	if code, body := h.apiRequest(t, "GET", "/queues", "supervisor-token-0123", ""); code != 200 ||
		!strings.Contains(body, `{"name":"general","waiting":1`) || !strings.Contains(body, `"name":"sales"`) {
		t.Fatalf("queues after reload: %d %s", code, body)
	}
	// A new call gets the new menu; the new agent registers with its
	// password, logs in and takes it from the new queue.
	agent := h.agentPhone("1003", "pw1003", testphone.AutoAnswer)
	_, newID := h.dialAndPress("3")
	h.events.waitNode(t, newID, "sales")
	ans := h.events.wait(t, newID, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if ans.Agent != "1003" || ans.Queue != "sales" {
		t.Fatalf("answered %+v", ans)
	}
	_ = agent
	if got := h.metric("hotline_config_reloads_total", "result", "ok"); got != 1 {
		t.Errorf("reloads ok = %v", got)
	}
}

func TestReloadRejectsBadConfigAndKeepsRunning(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	write := reloadFixture(t, h)
	before := h.srv.routing()
	good := reloadedACD(t)
	write(strings.Replace(good, `"3": sales}`, `"3": nowhere}`, 1))
	code, body := h.apiRequest(t, "POST", "/reload", adminToken, "")
	if code != 400 || !strings.Contains(body, "hotline.yaml:") || !strings.Contains(body, "nowhere") {
		t.Fatalf("bad reload: %d %s", code, body)
	}
	if h.srv.routing() != before {
		t.Fatal("a rejected reload changed the routing table")
	}
	if code, body := h.apiRequest(t, "GET", "/queues", "supervisor-token-0123", ""); code != 200 || strings.Contains(body, "sales") {
		t.Fatalf("a rejected reload changed the queues: %s", body)
	}
	if code, _ := h.apiRequest(t, "POST", "/reload", "supervisor-token-0123", ""); code != 403 {
		t.Fatalf("a supervisor reloaded: %d", code)
	}
	if got := h.metric("hotline_config_reloads_total", "result", "error"); got != 1 {
		t.Errorf("reloads error = %v", got)
	}
	// The old menu still answers.
	end := walk(t, h, "udp", func(c *testphone.Call, _ string) { press(t, c, "1") })
	if end.Result != call.ResultSelfService {
		t.Fatalf("call after a rejected reload: %s", end.Result)
	}
}
