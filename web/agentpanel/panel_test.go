package agentpanel_test

import (
	"encoding/json"
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
