package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/web"
)

const agentPanelTestConfig = "testdata/agentpanel.yaml"

// panelClient is one agent's browser: a cookie jar against the server.
type panelClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (h *harness) panelClient() *panelClient {
	jar, _ := cookiejar.New(nil)
	return &panelClient{t: h.t, base: "http://" + h.srv.HTTPAddr(), http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// panelMsg is the JSON the panel receives.
type panelMsg struct {
	web.PanelView
	ServerTime time.Time `json:"server_time"`
}

func (c *panelClient) do(method, path, body string, want int) panelMsg {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set(web.PanelHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s %s: HTTP %d %s, want %d", method, path, body, res.StatusCode, data, want)
	}
	var v panelMsg
	if want == http.StatusOK {
		if err := json.Unmarshal(data, &v); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return v
}

func (c *panelClient) me() panelMsg { return c.do("GET", "/agent/api/me", "", http.StatusOK) }

// stream collects the views the panel's SSE stream pushes.
func (c *panelClient) stream(ctx context.Context) <-chan panelMsg {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/agent/api/stream", nil)
	client := &http.Client{Jar: c.http.Jar} // no timeout: the stream is long-lived
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		c.t.Fatalf("stream: %v %v", res, err)
	}
	out := make(chan panelMsg, 64)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var v panelMsg
				if json.Unmarshal([]byte(d), &v) == nil && v.Agent.ID != "" {
					select {
					case out <- v:
					default:
					}
				}
			}
		}
	}()
	return out
}

func waitView(t *testing.T, views <-chan panelMsg, what string, match func(panelMsg) bool) panelMsg {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case v, ok := <-views:
			if !ok {
				t.Fatalf("stream ended waiting for %s", what)
			}
			if match(v) {
				return v
			}
		case <-deadline:
			t.Fatalf("no pushed view with %s", what)
		}
	}
}

// registerAgent registers the agent's softphone without logging in, so the
// panel's Log in button does that.
func (h *harness) registerAgent(id, password string) *testphone.Phone {
	h.t.Helper()
	p := h.registeredPhone(testphone.Config{User: id, Password: password})
	p.SetAnswerMode(testphone.AutoAnswer)
	return p
}

func (h *harness) waitAgentState(id, state, reason string) {
	h.t.Helper()
	h.events.wait(h.t, "", "agent "+id+" "+state, func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == id && e.State == state && e.Reason == reason
	})
}

func TestAgentPanelServesACallEndToEnd(t *testing.T) {
	h := start(t, agentPanelTestConfig, nil)
	panel := h.panelClient()
	panelLogsIn(t, panel)
	agent := h.registerAgent("1001", "pw1001")

	h.pressStateButtons(t, panel)

	views := panel.stream(ctxT(t, 60*time.Second))
	waitView(t, views, "the agent available", func(v panelMsg) bool { return v.Agent.State == "available" })

	// A caller enters an account number and queues.
	caller := h.dial(h.phone("udp"), "95598")
	id := caller.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, caller, "2")
	h.events.waitNode(t, id, "account")
	press(t, caller, "1234567890")
	leg := waitIncoming(t, agent)
	h.events.wait(t, id, "answered by 1001", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })

	checkPanelCall(t, panel, views, id)

	// The agent hangs up: wrap-up with the call still shown.
	h.hangUpIntoWrapUp(t, panel, leg, id)

	h.setDisposition(t, panel, id)

	// Ready ends the wrap-up early; the last call stays for reference.
	me := panel.do("POST", "/agent/api/state", `{"action":"ready"}`, http.StatusOK)
	if me.Agent.State != "available" || me.Call == nil || me.Call.Current || me.Call.CallID != id {
		t.Fatalf("after wrap-up: state %s call %+v", me.Agent.State, me.Call)
	}
	h.events.wait(t, id, "wrap-up over", func(e call.Event) bool { return e.Kind == call.WrapupEnded })

	h.checkAgentFigures(t)

	panel.do("POST", "/agent/api/state", `{"action":"logout"}`, http.StatusOK)
	h.waitAgentState("1001", "logged_out", "")
	panel.do("POST", "/agent/logout", "", http.StatusNoContent)
	panel.do("GET", "/agent/api/me", "", http.StatusUnauthorized)
}

// panelLogsIn refuses a wrong password, then logs agent 1001 in to the
// panel (not yet to the queues) and checks the first view.
func panelLogsIn(t *testing.T, panel *panelClient) {
	t.Helper()
	panel.do("POST", "/agent/login", `{"agent":"1001","password":"wrong"}`, http.StatusUnauthorized)
	v := panel.do("POST", "/agent/login", `{"agent":"1001","password":"pw1001"}`, http.StatusOK)
	if v.Agent.ID != "1001" || v.Agent.State != "logged_out" || v.Agent.Registered {
		t.Fatalf("after panel login: %+v", v.Agent)
	}
	if !slices.Equal(v.PauseReasons, []string{"break", "lunch", "training"}) {
		t.Errorf("pause reasons %v, want the configured ones", v.PauseReasons)
	}
}

// pressStateButtons logs 1001 in to the queues, refuses an unknown pause
// reason, pauses for lunch and makes the agent ready again.
func (h *harness) pressStateButtons(t *testing.T, panel *panelClient) {
	t.Helper()
	if v := panel.do("POST", "/agent/api/state", `{"action":"login"}`, http.StatusOK); v.Agent.State != "available" || !v.Agent.Registered {
		t.Fatalf("log in: %+v", v.Agent)
	}
	h.waitAgentState("1001", "available", "")
	panel.do("POST", "/agent/api/state", `{"action":"pause","reason":"meeting"}`, http.StatusBadRequest)
	if v := panel.do("POST", "/agent/api/state", `{"action":"pause","reason":"lunch"}`, http.StatusOK); v.Agent.State != "paused" || v.Agent.Reason != "lunch" {
		t.Fatalf("pause: %+v", v.Agent)
	}
	h.waitAgentState("1001", "paused", "lunch")
	panel.do("POST", "/agent/api/state", `{"action":"ready"}`, http.StatusOK)
	h.waitAgentState("1001", "available", "")
}

// checkPanelCall checks the call the panel pushes and the one it serves on
// request while 1001 talks to the caller.
func checkPanelCall(t *testing.T, panel *panelClient, views <-chan panelMsg, id string) {
	t.Helper()
	pushed := waitView(t, views, "the caller's number", func(v panelMsg) bool {
		return v.Call != nil && v.Call.CallID == id && v.Agent.State == "talking"
	})
	me := panel.me()
	for _, v := range []panelMsg{pushed, me} {
		c := v.Call
		if c == nil || c.Caller != "13800000001" || c.Number != "95598" || c.Queue != "general" || !c.Current ||
			c.Vars["account"] != "1234567890" || pathString(c.IVRPath) != "menu>account>general" || c.AnsweredAt == nil {
			t.Fatalf("call on the panel: %+v", c)
		}
	}
}

// hangUpIntoWrapUp has the agent hang up and checks the wrap-up view, the
// call still shown.
func (h *harness) hangUpIntoWrapUp(t *testing.T, panel *panelClient, leg *testphone.Call, id string) {
	t.Helper()
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	h.events.wait(t, id, "talk ended", func(e call.Event) bool { return e.Kind == call.TalkEnded })
	me := panel.me()
	if me.Agent.State != "wrapup" || me.WrapupUntil == nil || me.Call == nil || me.Call.CallID != id || me.Call.TalkEndedAt == nil {
		t.Fatalf("wrap-up view: state %s until %v call %+v", me.Agent.State, me.WrapupUntil, me.Call)
	}
	if d := me.WrapupUntil.Sub(me.Agent.Since); d != 30*time.Second {
		t.Errorf("wrap-up lasts %v, want the queue's 30s", d)
	}
}

// setDisposition refuses an unknown category, then sets one and checks the
// event and the view.
func (h *harness) setDisposition(t *testing.T, panel *panelClient, id string) {
	t.Helper()
	panel.do("POST", "/agent/api/disposition", `{"category":"gossip","resolved":true}`, http.StatusBadRequest)
	me := panel.do("POST", "/agent/api/disposition", `{"category":"billing","resolved":true}`, http.StatusOK)
	d := h.events.wait(t, id, "disposition", func(e call.Event) bool { return e.Kind == call.DispositionSet })
	if d.Agent != "1001" || d.Category != "billing" || !d.Resolved || d.Queue != "general" {
		t.Errorf("disposition event %+v", d)
	}
	if me.Call == nil || me.Call.Disposition == nil || me.Call.Disposition.Category != "billing" {
		t.Errorf("disposition not shown: %+v", me.Call)
	}
}

// checkAgentFigures checks 1001's answered calls, talk and state seconds,
// and that 1002 answered nothing.
func (h *harness) checkAgentFigures(t *testing.T) {
	t.Helper()
	if n := h.metric("hotline_agent_calls_answered_total", "agent", "1001"); n != 1 {
		t.Errorf("answered by 1001: %v, want 1", n)
	}
	if s := h.metric("hotline_agent_talk_seconds_total", "agent", "1001"); s <= 0 {
		t.Errorf("talk seconds of 1001: %v, want > 0", s)
	}
	for _, st := range []string{"available", "paused", "talking", "wrapup"} {
		if s := h.metric("hotline_agent_state_seconds_total", "agent", "1001", "state", st); s <= 0 {
			t.Errorf("1001 %s seconds: %v, want > 0", st, s)
		}
	}
	if n := h.metric("hotline_agent_calls_answered_total", "agent", "1002"); n != 0 {
		t.Errorf("answered by 1002: %v, want 0", n)
	}
}
