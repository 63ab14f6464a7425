package web

import (
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
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
var consoleDriver = chromiumtest.DriverPage(`<iframe id="f"></iframe>`, `const f = document.getElementById("f"), params = new URLSearchParams(location.search), steps = [];
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
signIn();`)

// consoleReport is what the driver posts back.
type consoleReport struct {
	Steps    []string  `json:"steps"`
	HTML     string    `json:"html"`
	RenderMS []float64 `json:"render_ms"`
}

// consoleFront serves the driver at /driver and its /report beside the
// console at srvURL; capped, it ends each event stream after a second
// (for screenshots under virtual time).
func consoleFront(t testing.TB, srvURL string, reports chan<- consoleReport, capped bool) *httptest.Server {
	return chromiumtest.Front(t, srvURL, capped, map[string]string{"/driver": consoleDriver}, reports)
}

func TestConsoleInHeadlessChromiumShowsTheFloorAndForcesAPause(t *testing.T) {
	browser := chromiumtest.Find(t)
	floor := webtest.NewFloor(40, 6, 0)
	srv := consoleServer(t, floor, 200*time.Millisecond)
	reports := make(chan consoleReport, 1)
	front := consoleFront(t, srv.URL, reports, false)
	rep := chromiumtest.UntilReport(t, browser, front.URL+"/driver?token=sup-secret&agent=10000", "1400,900", 60*time.Second, reports)
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
		front := consoleFront(b, srv.URL, reports, false)
		rep := chromiumtest.UntilReport(b, browser, front.URL+"/driver?token=sup-secret&bench=30", "1600,1000", 120*time.Second, reports)
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

func TestConsoleScreenshotInEveryLanguage(t *testing.T) {
	browser := chromiumtest.Find(t)
	floor := webtest.NewFloor(30, 5, 0)
	srv := consoleServer(t, floor, 200*time.Millisecond)
	front := consoleFront(t, srv.URL, make(chan consoleReport, 8), true)
	for _, lang := range PageLanguages {
		// The console as the driver leaves it: signed in, on the live floor.
		png := chromiumtest.Screenshot(t, browser, front.URL+"/driver?token=sup-secret&bench=1&lang="+lang, "1400,900", 6000)
		chromiumtest.KeepIn(t, png, os.Getenv("CONSOLE_SCREENSHOT_DIR"), "console-fake-"+lang+".png")
	}
}
