package agentpanel_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/agentpanel"
)

func TestPanelStateButtons(t *testing.T) {
	r := newPanelRig(t, agentpanel.WithPauseReasons([]string{"break", "lunch"}))
	c := r.client()
	r.login(c, "1001", "pw1001")
	steps := []struct {
		body  string
		code  int
		state string
	}{
		{`{"action":"pause","reason":"lunch"}`, http.StatusConflict, ""}, // logged out: the ACD refuses
		{`{"action":"login"}`, http.StatusOK, "available"},
		{`{"action":"pause","reason":"lunch"}`, http.StatusOK, "paused"},
		{`{"action":"pause","reason":"nap"}`, http.StatusBadRequest, ""},
		{`{"action":"pause"}`, http.StatusBadRequest, ""},
		{`{"action":"ready"}`, http.StatusOK, "available"},
		{`{"action":"dance"}`, http.StatusBadRequest, ""},
		{`{"action":"logout"}`, http.StatusOK, "logged_out"},
	}
	for _, s := range steps {
		code, body, _ := r.do(c, "POST", "/agent/api/state", s.body, true)
		if code != s.code {
			t.Fatalf("%s: %d %v, want %d", s.body, code, body, s.code)
		}
		if s.state != "" && agentField(body, "state") != s.state {
			t.Fatalf("%s: state %v, want %s", s.body, agentField(body, "state"), s.state)
		}
		if code >= 400 && body["error"] == "" {
			t.Errorf("%s: no error message", s.body)
		}
	}
	want := []string{"1001 available", "1001 paused lunch", "1001 available", "1001 logged_out"}
	if got := r.src.Actions(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

func TestPanelAgentActsOnlyAsItself(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	// Naming another agent in the body is refused, not silently ignored.
	if code, _, _ := r.do(c, "POST", "/agent/api/state", `{"action":"login","agent":"1002"}`, true); code != http.StatusBadRequest {
		t.Fatalf("state naming another agent: %d, want 400", code)
	}
	if code, _, _ := r.do(c, "POST", "/agent/api/state", `{"action":"login"}`, true); code != http.StatusOK {
		t.Fatalf("own login: %d", code)
	}
	v2, _ := r.src.PanelView("1002")
	if v2.Agent.State != "logged_out" {
		t.Errorf("agent 1002 changed to %s by 1001's session", v2.Agent.State)
	}
	r.src.SetCall("1002", &agentpanel.PanelCall{CallID: "c2", Caller: "13900000002", Current: true})
	_, me, _ := r.do(c, "GET", "/agent/api/me", "", false)
	if agentField(me, "id") != "1001" || me["call"] != nil {
		t.Errorf("1001 sees %v", me)
	}
	// Without its own call 1001 cannot classify 1002's.
	code, _, _ := r.do(c, "POST", "/agent/api/disposition", `{"category":"billing","resolved":true}`, true)
	if code != http.StatusConflict {
		t.Errorf("disposition without a call: %d, want 409", code)
	}
}

func TestPanelDisposition(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	r.src.SetCall("1001", &agentpanel.PanelCall{CallID: "c1", Caller: "13800000001", Current: true})
	for body, want := range map[string]int{
		`{"category":"gossip","resolved":true}`: http.StatusBadRequest,
		`{"category":"billing"}`:                http.StatusBadRequest,
		`not json`:                              http.StatusBadRequest,
	} {
		if code, _, _ := r.do(c, "POST", "/agent/api/disposition", body, true); code != want {
			t.Errorf("%s: %d, want %d", body, code, want)
		}
	}
	code, body, _ := r.do(c, "POST", "/agent/api/disposition", `{"category":"repair","resolved":false}`, true)
	call, _ := body["call"].(map[string]any)
	d, _ := call["disposition"].(map[string]any)
	if code != http.StatusOK || d["category"] != "repair" || d["resolved"] != false {
		t.Fatalf("disposition: %d %v", code, body)
	}
}

func TestPanelStreamPushesChanges(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", r.srv.URL+"/agent/api/stream", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(res.Body)
		var kind string
		for sc.Scan() {
			line := sc.Text()
			if k, ok := strings.CutPrefix(line, "event: "); ok {
				kind = k
			}
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				events <- kind + " " + d
			}
		}
		close(events)
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("%s: stream ended", what)
			}
			return e
		case <-ctx.Done():
			t.Fatalf("%s: no event", what)
		}
		return ""
	}
	if e := next("first view"); !strings.HasPrefix(e, "view ") || !strings.Contains(e, `"state":"logged_out"`) {
		t.Fatalf("first event %s", e)
	}
	r.src.SetCall("1001", &agentpanel.PanelCall{CallID: "c9", Caller: "13812345678", Queue: "billing", IVRPath: []string{"menu", "billing"}, Current: true})
	if e := next("call view"); !strings.Contains(e, `"caller":"13812345678"`) || !strings.Contains(e, `"ivr_path":["menu","billing"]`) {
		t.Fatalf("after the call arrived: %s", e)
	}
	// Logging out elsewhere ends this stream too.
	r.do(c, "POST", "/agent/logout", "", true)
	if e := next("end"); !strings.HasPrefix(e, "session_ended") {
		t.Fatalf("after logout: %s", e)
	}
}
