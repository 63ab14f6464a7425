package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// A supervisor moves a caller waiting in a queue nobody serves to another
// queue, where an agent answers: the caller keeps their line.
func TestMoveAWaitingCallerToAnotherQueue(t *testing.T) {
	h := start(t, careTestConfig, func(c *config.Config) {
		c.Agents[1].Queues = []string{"billing"} // 1002 serves billing only
	})
	agent := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0") // general: nobody logged in serves it
	h.events.wait(t, id, "queued in general", func(e call.Event) bool { return e.Kind == call.Queued && e.Queue == "general" })

	path := "/calls/" + url.PathEscape(id) + "/move"
	if code, body := h.apiRequest(t, "POST", path, "agent-1001-token-0123", `{"queue":"billing"}`); code != 403 {
		t.Errorf("an agent token moved a caller: %d %s", code, body)
	}
	if code, body := h.apiRequest(t, "POST", path, "supervisor-token-0123", `{"queue":"general"}`); code != 400 {
		t.Errorf("move into its own queue: %d %s", code, body)
	}
	if code, body := h.apiRequest(t, "POST", path, "supervisor-token-0123", `{"queue":"nowhere"}`); code != 404 {
		t.Errorf("move to an unknown queue: %d %s", code, body)
	}
	if code, body := h.apiRequest(t, "POST", path, "supervisor-token-0123", `{"queue":"billing"}`); code != 200 {
		t.Fatalf("move: %d %s", code, body)
	}
	moved := h.events.wait(t, id, "overflowed", func(e call.Event) bool { return e.Kind == call.Overflowed })
	if moved.Queue != "general" || moved.Target != "queue:billing" || moved.Reason != "moved" {
		t.Errorf("overflowed event %+v", moved)
	}
	leg := h.agentAnswers(agent, id, "1002")
	caller.SendTone(500)
	heard(t, leg, 25, "the agent of the other queue hears the caller")
	if code, _ := h.apiRequest(t, "POST", path, "supervisor-token-0123", `{"queue":"general"}`); code != 409 {
		t.Errorf("move of a call already answered: %d, want 409", code)
	}
	if got := h.metric("hotline_queue_overflowed_total", "queue", "general", "target", "queue:billing"); got != 1 {
		t.Errorf("overflowed{general→billing} = %v", got)
	}
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	h.flushStore()
	audit, _ := h.srv.Store().AuditLog(ctxT(t, 5*time.Second), store.AuditFilter{Action: "move"})
	if len(audit) < 4 || !strings.Contains(audit[0].Detail, `"queue"`) {
		t.Errorf("moves in the audit log: %+v", audit)
	}
}

// Reviews through the API with real calls: only recorded calls, only
// supervisors; the agent acknowledges; the month's scores and the monthly
// report carry the score.
func TestReviewAPIWithRealCalls(t *testing.T) {
	h := start(t, careTestConfig, func(c *config.Config) {
		withReviewForm(c)
		c.API.Tokens = append(c.API.Tokens, config.APIToken{Name: "adm", Token: adminToken, Role: "admin"})
	})
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	talk := func(digit string) string {
		caller, id := h.dialAndPress(digit)
		leg := h.agentAnswers(agent, id, "1001")
		caller.SendTone(500)
		heard(t, leg, 10, "the agent hears the caller")
		_ = leg.Hangup(ctxT(t, 5*time.Second))
		h.events.waitEnd(t, id)
		return id
	}
	unrecorded, recorded := talk("0"), talk("2") // general does not record, billing does
	h.flushStore()
	review := func(id, answers string) string {
		return `{"call_id":"` + id + `","answers":` + answers + `,"comment":"read back missing"}`
	}
	full := `{"greeting":1,"verify":1,"tone":4}`
	if code, resp := h.apiRequest(t, "POST", "/reviews", "supervisor-token-0123", review(unrecorded, full)); code != 422 || !strings.Contains(resp, "was not recorded") {
		t.Errorf("review of a call not recorded: %d %s", code, resp)
	}
	if code, resp := h.apiRequest(t, "POST", "/reviews", "agent-1001-token-0123", review(recorded, full)); code != 403 {
		t.Errorf("review by an agent token: %d %s", code, resp)
	}
	if code, resp := h.apiRequest(t, "POST", "/reviews", "supervisor-token-0123", review(recorded, `{"greeting":1}`)); code != 422 {
		t.Errorf("a form half filled: %d %s", code, resp)
	}
	checkConsoleAudio(t, h, recorded)
	if code, resp := h.apiRequest(t, "GET", "/reviews/queue", "supervisor-token-0123", ""); code != 200 ||
		!strings.Contains(resp, `"total":1`) || !strings.Contains(resp, recorded) || strings.Contains(resp, unrecorded) {
		t.Errorf("queue: %d %s", code, resp)
	}
	// The critical greeting missed: score 0, raw 75.
	code, resp := h.apiRequest(t, "POST", "/reviews", "supervisor-token-0123", review(recorded, `{"greeting":0,"verify":1,"tone":4}`))
	if code != 201 || !strings.Contains(resp, `"score":0`) || !strings.Contains(resp, `"raw_score":75`) || !strings.Contains(resp, `"critical_failed":["greeting"]`) {
		t.Fatalf("review: %d %s", code, resp)
	}
	if code, _ := h.apiRequest(t, "POST", "/reviews", "supervisor-token-0123", review(recorded, full)); code != 409 {
		t.Errorf("a second review of the call: %d", code)
	}
	var saved struct{ ID int64 }
	_ = json.Unmarshal([]byte(resp), &saved)
	ack := "/reviews/" + strconv.FormatInt(saved.ID, 10) + "/acknowledge"
	if code, _ := h.apiRequest(t, "POST", ack, "supervisor-token-0123", ""); code != 403 {
		t.Errorf("a supervisor acknowledged for the agent: %d", code)
	}
	if code, resp := h.apiRequest(t, "POST", ack, "agent-1001-token-0123", ""); code != 200 || !strings.Contains(resp, `"acknowledged_at"`) {
		t.Errorf("acknowledge: %d %s", code, resp)
	}
	if code, resp := h.apiRequest(t, "GET", "/reviews/scores", "supervisor-token-0123", ""); code != 200 ||
		!strings.Contains(resp, `{"name":"1001","reviews":1,"score":0,"critical_failed":1,"acknowledged":1`) ||
		!strings.Contains(resp, `{"name":"day_shift","reviews":1`) {
		t.Errorf("scores: %d %s", code, resp)
	}
	month := h.srv.clock.Now().In(h.srv.cfg.ReportLocation()).Format("2006-01")
	code, resp = h.apiRequest(t, "GET", "/reports/monthly?month="+month, adminToken, "")
	if code != 200 || !strings.Contains(resp, `"monitoring_scores":true`) || !strings.Contains(resp, `"monitoring_score":0`) {
		t.Errorf("monthly report: %d %s", code, resp)
	}
}

// checkConsoleAudio plays the recording the way the console's player
// does: with the session cookie, asking for a range (seeking).
func checkConsoleAudio(t *testing.T, h *harness, callID string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	base := "http://" + h.srv.HTTPAddr()
	audio := base + "/supervisor/api/recordings/" + url.PathEscape(callID) + "/audio"
	res, err := client.Get(audio)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("audio without a console session: %v %v", res, err)
	}
	res.Body.Close()
	req, _ := http.NewRequest("POST", base+"/supervisor/login", strings.NewReader(`{"token":"supervisor-token-0123"}`))
	req.Header.Set("X-Hotline-Console", "1")
	res, err = client.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("console sign-in: %v %v", res, err)
	}
	res.Body.Close()
	req, _ = http.NewRequest("GET", audio, nil)
	req.Header.Set("Range", "bytes=44-1043")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusPartialContent || len(body) != 1000 || !strings.HasPrefix(res.Header.Get("Content-Range"), "bytes 44-1043/") ||
		res.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("a range of the recording: %d, %d bytes, %q %q", res.StatusCode, len(body), res.Header.Get("Content-Range"), res.Header.Get("Content-Type"))
	}
}
