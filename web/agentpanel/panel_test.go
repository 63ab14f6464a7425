package agentpanel_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/internal/webtest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// fakeNow is a settable clock.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeNow) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeNow) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type panelRig struct {
	t     *testing.T
	src   *webtest.PanelSource
	clock *fakeNow
	srv   *httptest.Server
}

func newPanelRig(t *testing.T, opts ...agentpanel.PanelOption) *panelRig {
	t.Helper()
	r := &panelRig{t: t, src: webtest.NewPanelSource("1001", "1002"), clock: &fakeNow{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}
	opts = append([]agentpanel.PanelOption{agentpanel.WithPanelClock(r.clock.now), agentpanel.WithPanelPoll(20 * time.Millisecond)}, opts...)
	p, err := agentpanel.New(r.src, webtest.PanelPasswords, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		p.Shutdown()
		r.srv.Close()
	})
	return r
}

// client is a browser: its own cookie jar.
func (r *panelRig) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (r *panelRig) do(c *http.Client, method, path, body string, header bool) (int, map[string]any, *http.Response) {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	if header {
		req.Header.Set(agentpanel.PanelHeader, "1")
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(data, &out)
	return res.StatusCode, out, res
}

func (r *panelRig) login(c *http.Client, agent, password string) (int, map[string]any, *http.Response) {
	r.t.Helper()
	body, _ := json.Marshal(map[string]string{"agent": agent, "password": password})
	return r.do(c, "POST", "/agent/login", string(body), true)
}

func agentField(v map[string]any, key string) any {
	a, _ := v["agent"].(map[string]any)
	return a[key]
}

func TestPanelLoginGoodAndCookieFlags(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	code, body, res := r.login(c, "1001", "pw1001")
	if code != http.StatusOK || agentField(body, "id") != "1001" {
		t.Fatalf("login: %d %v", code, body)
	}
	var ck *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == agentpanel.PanelCookie {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/agent" || ck.Secure {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/agent, not Secure over plain HTTP", ck)
	}
	// 32 random bytes, base64url without padding.
	if len(ck.Value) != 43 {
		t.Errorf("token length %d, want 43", len(ck.Value))
	}
	if code, body, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK ||
		agentField(body, "id") != "1001" || body["pause_reasons"] == nil || body["categories"] == nil {
		t.Fatalf("me: %d %v", code, body)
	}
	// Another browser without the cookie is not logged in.
	if code, _, _ := r.do(r.client(), "GET", "/agent/api/me", "", false); code != http.StatusUnauthorized {
		t.Errorf("me without a session: %d, want 401", code)
	}
}

func TestPanelLoginFailuresLookAlike(t *testing.T) {
	r := newPanelRig(t)
	codeWrong, wrong, _ := r.login(r.client(), "1001", "nope")
	codeUnknown, unknown, _ := r.login(r.client(), "9999", "pw1001")
	if codeWrong != http.StatusUnauthorized || codeUnknown != http.StatusUnauthorized {
		t.Fatalf("codes %d, %d; want 401 both", codeWrong, codeUnknown)
	}
	if wrong["error"] != unknown["error"] || wrong["error"] != agentpanel.LoginFailed {
		t.Errorf("wrong password says %q, unknown agent %q: want the same message", wrong["error"], unknown["error"])
	}
	if code, _, _ := r.login(r.client(), "1001", ""); code != http.StatusBadRequest {
		t.Errorf("empty password: %d, want 400", code)
	}
	if code, _, _ := r.do(r.client(), "POST", "/agent/login", `{"agent":"1001","password":"pw1001","role":"admin"}`, true); code != http.StatusBadRequest {
		t.Errorf("unknown body field: %d, want 400", code)
	}
}

func TestPanelLoginLockoutPerAddress(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	for i := 1; i < webkit.DefaultMaxFailures; i++ {
		if code, _, _ := r.login(c, "1001", "guess"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, code)
		}
	}
	// The tenth failure locks the address; from then on even the right
	// password is refused, or guessing would simply go on.
	r.login(c, "1001", "guess")
	code, body, res := r.login(c, "1001", "pw1001")
	if code != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "900" {
		t.Fatalf("after 10 failures: %d %v Retry-After %q; want 429, 900", code, body, res.Header.Get("Retry-After"))
	}
	r.clock.advance(webkit.DefaultLockout - time.Second)
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusTooManyRequests {
		t.Fatalf("1 s before the lockout ends: %d, want 429", code)
	}
	r.clock.advance(time.Second)
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusOK {
		t.Fatalf("after the lockout: %d, want 200", code)
	}
}

func TestPanelFailuresOutsideTheWindowDoNotAddUp(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	for i := 0; i < webkit.DefaultMaxFailures-1; i++ {
		r.login(c, "1001", "guess")
	}
	r.clock.advance(webkit.DefaultFailureWindow + time.Second)
	if code, _, _ := r.login(c, "1001", "guess"); code != http.StatusUnauthorized {
		t.Fatalf("failure in a new window: %d, want 401 (not locked)", code)
	}
	if code, _, _ := r.login(c, "1001", "pw1001"); code != http.StatusOK {
		t.Fatalf("good login: %d", code)
	}
}

func TestPanelSessionExpiresWhenIdle(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	// Use keeps the session alive past 12 h from the login.
	r.clock.advance(11 * time.Hour)
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK {
		t.Fatalf("after 11 h: %d", code)
	}
	r.clock.advance(11 * time.Hour)
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusOK {
		t.Fatalf("11 h after the last use: %d", code)
	}
	r.clock.advance(webkit.DefaultSessionIdle + time.Second)
	code, body, _ := r.do(c, "GET", "/agent/api/me", "", false)
	if code != http.StatusUnauthorized {
		t.Fatalf("after 12 h idle: %d %v, want 401", code, body)
	}
}

func TestPanelLogoutEndsTheSession(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	r.login(c, "1001", "pw1001")
	if code, _, _ := r.do(c, "POST", "/agent/logout", "", false); code != http.StatusForbidden {
		t.Errorf("logout without the panel header: %d, want 403", code)
	}
	if code, _, _ := r.do(c, "POST", "/agent/logout", "", true); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := r.do(c, "GET", "/agent/api/me", "", false); code != http.StatusUnauthorized {
		t.Errorf("me after logout: %d, want 401", code)
	}
}

func TestPanelPostsNeedTheHeader(t *testing.T) {
	r := newPanelRig(t)
	c := r.client()
	if code, _, _ := r.do(c, "POST", "/agent/login", `{"agent":"1001","password":"pw1001"}`, false); code != http.StatusForbidden {
		t.Errorf("login without header: %d, want 403", code)
	}
	r.login(c, "1001", "pw1001")
	for _, path := range []string{"/agent/api/state", "/agent/api/disposition"} {
		code, body, _ := r.do(c, "POST", path, `{"action":"login"}`, false)
		if code != http.StatusForbidden || !strings.Contains(fmt.Sprint(body["error"]), agentpanel.PanelHeader) {
			t.Errorf("%s without header: %d %v, want 403 naming the header", path, code, body)
		}
	}
	if got := r.src.Actions(); len(got) != 0 {
		t.Errorf("a refused request acted: %v", got)
	}
}

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

func TestPanelOptionsRefuseNonsense(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	src := webtest.NewPanelSource("1001")
	for name, opt := range map[string]agentpanel.PanelOption{
		"no reasons":    agentpanel.WithPauseReasons(nil),
		"no categories": agentpanel.WithDispositionCategories(nil),
		"zero poll":     agentpanel.WithPanelPoll(0),
		"nil clock":     agentpanel.WithPanelClock(nil),
	} {
		if _, err := agentpanel.New(src, webtest.PanelPasswords, log, opt); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := agentpanel.New(nil, webtest.PanelPasswords, log); err == nil {
		t.Error("nil source accepted")
	}
}

func TestPanelPageServedWithStrictHeaders(t *testing.T) {
	r := newPanelRig(t)
	res, err := http.Get(r.srv.URL + "/agent")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="login-form"`) {
		t.Fatalf("page: %d", res.StatusCode)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}
