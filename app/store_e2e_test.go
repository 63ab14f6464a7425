package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// A call through the IVR and an agent leaves one complete record, and the
// reports see it.
func TestCallRecordAndReports(t *testing.T) {
	h := start(t, acdTestConfig, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	_, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	h.feature(agent, "*2521") // disposition: repair, resolved
	_ = leg.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id)
	h.events.wait(t, id, "wrap-up over", func(e call.Event) bool { return e.Kind == call.WrapupEnded })

	st := h.srv.Store()
	var rec struct{ ok bool }
	deadline := time.Now().Add(10 * time.Second)
	for !rec.ok && time.Now().Before(deadline) {
		if err := st.Flush(ctxT(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		d, err := st.Call(ctxT(t, 5*time.Second), id)
		if err == nil && d.Result == call.ResultAnsweredByAgent && len(d.Dispositions) > 0 {
			rec.ok = true
			if d.Caller != "13800000001" || d.Number != "95598" || d.Queue != "general" || d.Agent != "1001" {
				t.Errorf("record %+v", d.CallRecord)
			}
			if d.AgentAnswered.IsZero() || d.Ended.IsZero() || d.HangupBy != call.HangupByAgent {
				t.Errorf("timestamps or hang-up side missing: %+v", d.CallRecord)
			}
			if d.Dispositions[0].Category != "repair" || !d.Dispositions[0].Resolved {
				t.Errorf("disposition %+v", d.Dispositions)
			}
			if strings.Join(d.Path, ">") != "menu>general" {
				t.Errorf("path %v", d.Path)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !rec.ok {
		t.Fatal("no complete call record in the store")
	}
	get := func(path string) string {
		req, _ := http.NewRequest("GET", "http://"+h.srv.HTTPAddr()+path, nil)
		req.Header.Set("Authorization", "Bearer admin-token-0123456") // reports are admin-only
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, b)
		}
		return string(b)
	}
	day := officeOpen.Format("2006-01-02")
	if body := get("/api/v1/reports/interval?from=" + day + "&tz=UTC"); !strings.Contains(body, `"queue":"general"`) {
		t.Errorf("interval report: %s", body)
	}
	if body := get("/api/v1/reports/interval?from=" + day + "&tz=UTC&format=csv"); !strings.HasPrefix(body, "queue,") {
		t.Errorf("interval CSV: %.200s", body)
	}
	if body := get("/api/v1/reports/agents?from=" + day + "&tz=UTC"); !strings.Contains(body, `"agent":"1001"`) {
		t.Errorf("agent report: %s", body)
	}
}

// An agent logged in (or paused) before a restart is so after it, from
// the moment its phone registers again: until then nobody could ring it.
func TestAgentStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	keep := func(c *config.Config) {
		c.DataDir = dir
		c.Agents = append(c.Agents, config.Agent{ID: "1003", Name: "Pak", WorkNumber: "4096", Password: "pw1003", Queues: []string{"general"}})
	}
	h := start(t, acdTestConfig, keep)
	h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	paused := h.agentPhone("1003", "pw1003", testphone.AutoAnswer)
	h.feature(paused, "*23")
	h.waitAgentState("1003", "paused", "break")
	h.srv.Shutdown(ctxT(t, 5*time.Second))

	again := start(t, acdTestConfig, keep)
	state := func(id string) string {
		for _, a := range again.srv.agentControl().Agents() {
			if a.ID == id {
				return a.State
			}
		}
		return "missing"
	}
	for _, id := range []string{"1001", "1002", "1003"} {
		if got := state(id); got != "logged_out" {
			t.Errorf("after restart, before its phone registers, %s is %s, want logged_out", id, got)
		}
	}
	again.registerAgent("1001", "pw1001")
	again.waitAgentState("1001", "available", "")
	again.registerAgent("1003", "pw1003")
	again.waitAgentState("1003", "paused", "break")
	again.registerAgent("1002", "pw1002")
	if got := state("1002"); got != "logged_out" {
		t.Errorf("after restart 1002 is %s, want logged_out", got)
	}
}
