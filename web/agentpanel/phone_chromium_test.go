package agentpanel_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// unregisteredDriver signs in as an agent whose softphone is not
// registered and copies out what the panel then shows.
const unregisteredDriver = `<!doctype html>
<html><head><meta charset="utf-8"></head><body>
<iframe id="f" src="/agent?lang=en"></iframe>
<pre id="result" hidden data-done="false"></pre>
<div id="copy" hidden></div>
<script>
const f = document.getElementById("f"), result = document.getElementById("result");
let submitted = false;
function check() {
  const d = f.contentDocument;
  if (!d || !d.body) return;
  if (!submitted && d.body.dataset.view === "login") {
    d.getElementById("login-agent").value = "1001";
    d.getElementById("login-password").value = "pw1001";
    d.getElementById("login-submit").click();
    submitted = true;
  }
  const note = d.getElementById("state-note");
  if (submitted && d.body.dataset.view === "panel" && note && note.textContent) {
    const login = d.querySelector('[data-action="login"]');
    result.textContent = "login disabled: " + login.disabled + "\nnote: " + note.textContent +
      "\nsoftphone: " + d.querySelector('[data-field="registered"]').textContent;
    result.dataset.done = "true";
  }
}
setInterval(check, 100);
</script></body></html>`

// The panel of an agent without a registered phone says so and offers no
// Log in button that the server would refuse.
func TestAgentPanelWithoutPhoneInHeadlessChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	src := webtest.NewPanelSource("1001") // logged out, not registered
	p, err := agentpanel.New(src, webtest.PanelPasswords, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	top := http.NewServeMux()
	// Headless virtual time stands still while a fetch is open: end each
	// stream after a second; the page reconnects by itself.
	top.HandleFunc("GET /agent/api/stream", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		mux.ServeHTTP(w, r.WithContext(ctx))
	})
	top.HandleFunc("GET /driver", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, unregisteredDriver)
	})
	top.Handle("/", mux)
	srv := httptest.NewServer(top)
	t.Cleanup(func() {
		p.Shutdown()
		srv.Close()
	})
	dom := string(chromiumtest.Run(t, browser, "--dump-dom", "--virtual-time-budget=5000", srv.URL+"/driver"))
	res := regexp.MustCompile(`<pre id="result" hidden="" data-done="(\w+)">([^<]*)</pre>`).FindStringSubmatch(dom)
	if res == nil || res[1] != "true" {
		t.Fatalf("driver did not finish:\n%s", dom)
	}
	for _, want := range []string{"login disabled: true", "note: register your softphone to log in",
		"softphone: not registered: calls cannot reach you"} {
		if !strings.Contains(res[2], want) {
			t.Errorf("panel showed %q, want %q", res[2], want)
		}
	}
}
