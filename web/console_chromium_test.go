package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// consoleDriver works the console in an iframe like a supervisor: it
// signs in, waits for the live floor, presses Pause on an agent and waits
// for the floor to show the pause. With ?bench=N it only watches N
// updates. It posts what it saw to /report, so the browser runs in real
// time (render times measured under virtual time would be meaningless).
const consoleDriver = `<!doctype html>
<html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}</style></head>
<body><iframe id="f"></iframe>
<script>
const f = document.getElementById("f"), params = new URLSearchParams(location.search), steps = [];
const bench = Number(params.get("bench") || 0), agent = params.get("agent") || "10000";
let stage = "login";
async function report(extra) {
  stage = "done";
  await fetch("/report", { method: "POST", body: JSON.stringify(Object.assign({ steps }, extra)) });
}
async function signIn() {
  const res = await fetch("/supervisor/login", { method: "POST", headers: { "X-Hotline-Console": "1", "Content-Type": "application/json" },
    body: JSON.stringify({ token: params.get("token") }) });
  steps.push("sign-in " + res.status);
  f.src = "/supervisor?lang=" + (params.get("lang") || "en");
  stage = "live";
}
function check() {
  const d = f.contentDocument;
  if (!d || !d.body || stage === "done" || stage === "login") return;
  const updates = Number(d.body.dataset.updates || 0);
  const row = d.querySelector('tr[data-agent="' + agent + '"]');
  if (stage === "live" && updates >= 2 && row) {
    steps.push("agents shown " + d.getElementById("agent-count").textContent);
    steps.push("queues shown " + d.querySelectorAll("#queues tbody tr").length);
    steps.push("state before " + row.querySelector(".state").dataset.state);
    if (bench) { stage = "bench"; return; }
    d.getElementById("pause-reason").value = "training";
    row.querySelector('[data-act="pause"]').click();
    stage = "paused";
  }
  if (stage === "bench" && updates >= bench + 2) {
    report({ render_ms: f.contentWindow.consoleRenderTimes.slice(2) });
  }
  if (stage === "paused" && row && row.querySelector(".state").dataset.state === "paused") {
    steps.push("state after " + row.querySelector(".state").textContent);
    report({ html: d.body.innerHTML });
  }
}
setInterval(check, 50);
signIn();
</script></body></html>`

// consoleReport is what the driver posts back.
type consoleReport struct {
	Steps    []string  `json:"steps"`
	HTML     string    `json:"html"`
	RenderMS []float64 `json:"render_ms"`
}

// withDriver serves the driver page and /report beside h.
func withDriver(h http.Handler, reports chan<- consoleReport) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /driver", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, consoleDriver)
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		var rep consoleReport
		_ = json.NewDecoder(r.Body).Decode(&rep)
		select {
		case reports <- rep:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/", h)
	return mux
}

// runChromiumUntilReport opens url in headless Chromium, in real time,
// and waits for the page's report.
func runChromiumUntilReport(t testing.TB, browser, url string, reports <-chan consoleReport, within time.Duration, size string) consoleReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--remote-debugging-port=0", "--window-size="+size, "--user-data-dir="+t.TempDir(), url)
	// Chromium's helpers outlive a killed browser unless the whole
	// process group goes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	select {
	case rep := <-reports:
		return rep
	case <-ctx.Done():
		t.Fatalf("the page reported nothing within %v", within)
		return consoleReport{}
	}
}

func TestConsoleInHeadlessChromiumShowsTheFloorAndForcesAPause(t *testing.T) {
	browser := chromiumtest.Find(t)
	floor := webtest.NewFloor(40, 6, 0)
	srv := consoleServer(t, floor, 200*time.Millisecond)
	reports := make(chan consoleReport, 1)
	front := httptest.NewServer(withDriver(proxyTo(srv.URL), reports))
	defer front.Close()
	rep := runChromiumUntilReport(t, browser, front.URL+"/driver?token=sup-secret&agent=10000", reports, 60*time.Second, "1400,900")
	t.Logf("driver steps: %q", rep.Steps)
	for _, want := range []string{"sign-in 200", "agents shown 40 / 40", "queues shown 6", "state before available", "state after Paused · training"} {
		if !slices.Contains(rep.Steps, want) {
			t.Errorf("driver did not see %q", want)
		}
	}
	if got := floor.State("10000"); got != "paused/training" {
		t.Errorf("agent after the click: %s", got)
	}
	for _, want := range []string{`data-call="w-1"`, `<span class="state" data-state="paused">Paused · lunch</span>`, `<span class="state" data-state="paused">Paused · training</span>`, `>Queue 3<`} {
		if !strings.Contains(rep.HTML, want) {
			t.Errorf("console DOM lacks %s", want)
		}
	}
}

// proxyTo forwards every request to base, keeping streams flowing.
func proxyTo(base string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		rc := http.NewResponseController(w)
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
				_ = rc.Flush()
			}
			if err != nil {
				return
			}
		}
	})
}

// BenchmarkConsoleRenderInChromium measures how long the console takes
// to apply one update of a floor of 2 000 agents and 100 queues (a tenth
// of the agents changing state each second) in headless Chromium: script
// and layout, per update. Target (bench/README.md): median under 200 ms.
// Run with -benchtime=1x; each iteration watches 30 updates.
func BenchmarkConsoleRenderInChromium(b *testing.B) {
	browser := chromiumtest.Find(b)
	var all []float64
	for range b.N {
		floor := webtest.NewFloor(2000, 100, 200)
		srv := consoleServer(b, floor, time.Second)
		reports := make(chan consoleReport, 1)
		front := httptest.NewServer(withDriver(proxyTo(srv.URL), reports))
		rep := runChromiumUntilReport(b, browser, front.URL+"/driver?token=sup-secret&bench=30", reports, 120*time.Second, "1600,1000")
		front.Close()
		srv.Close()
		all = append(all, rep.RenderMS...)
	}
	if len(all) == 0 {
		b.Fatal("no render times reported")
	}
	slices.Sort(all)
	b.ReportMetric(all[len(all)/2], "ms/render-median")
	b.ReportMetric(all[len(all)*95/100], "ms/render-p95")
	b.ReportMetric(all[len(all)-1], "ms/render-max")
	fmt.Fprintf(os.Stderr, "console render over %d updates: median %.1f ms, p95 %.1f ms, max %.1f ms\n",
		len(all), all[len(all)/2], all[len(all)*95/100], all[len(all)-1])
}

// cappedStreams ends every console stream after a second: headless
// virtual time stands still while a fetch is open, and the page
// reconnects by itself.
func cappedStreams(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/stream") {
			ctx, cancel := context.WithTimeout(r.Context(), time.Second)
			defer cancel()
			r = r.WithContext(ctx)
		}
		h.ServeHTTP(w, r)
	})
}

// screenshotConsole pictures the console as the driver leaves it (signed
// in, after the pause), under virtual time.
func screenshotConsole(t *testing.T, browser, url, size string) []byte {
	t.Helper()
	shot := t.TempDir() + "/console.png"
	chromiumtest.Run(t, browser, "--screenshot="+shot, "--window-size="+size, "--hide-scrollbars", "--virtual-time-budget=6000", url)
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	return png
}

func TestConsoleScreenshotInEveryLanguage(t *testing.T) {
	browser := chromiumtest.Find(t)
	floor := webtest.NewFloor(30, 5, 0)
	srv := consoleServer(t, floor, 200*time.Millisecond)
	front := httptest.NewServer(cappedStreams(withDriver(proxyTo(srv.URL), make(chan consoleReport, 8))))
	defer front.Close()
	for _, lang := range PageLanguages {
		png := screenshotConsole(t, browser, front.URL+"/driver?token=sup-secret&bench=1&lang="+lang, "1400,900")
		if dir := os.Getenv("CONSOLE_SCREENSHOT_DIR"); dir != "" {
			if err := os.WriteFile(dir+"/console-fake-"+lang+".png", png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
