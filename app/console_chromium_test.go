package app

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/app/webadapt"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// consoleDriverPage is a driver of the console: it signs in with
// ?token, opens the console in ?lang (English by default) and runs check
// every 100 ms; check works the page from stage "live" on and calls
// report() to post its steps to /report.
func consoleDriverPage(check string) string {
	return chromiumtest.DriverPage(`<iframe id="f"></iframe>`, `const f = document.getElementById("f"), p = new URLSearchParams(location.search), steps = [];
let stage = "login";
const report = () => { stage = "done"; fetch("/report", { method: "POST", body: JSON.stringify({ steps }) }); };
fetch("/supervisor/login", { method: "POST", headers: { "X-Hotline-Console": "1", "Content-Type": "application/json" },
  body: JSON.stringify({ token: p.get("token") }) }).then((res) => {
  steps.push("sign-in " + res.status);
  f.src = "/supervisor?lang=" + (p.get("lang") || "en");
  stage = "live";
});
`+check+`
setInterval(check, 100);`)
}

// supervisorDriver works the console in an iframe. mode=act signs in,
// force-pauses agent `pause`, opens the review of call `call`, fills the
// form (greeting and verification yes, tone 3 of 4) and saves it, then
// posts what it saw to /report. mode=floor and mode=review only set the
// page up for a screenshot (no action).
var supervisorDriver = consoleDriverPage(`const mode = p.get("mode"), pauseAgent = p.get("pause"), callID = p.get("call");
function check() {
  const d = f.contentDocument;
  if (!d || !d.body || stage === "login" || stage === "done") return;
  const updates = Number(d.body.dataset.updates || 0);
  if (stage === "live" && updates >= 2 && d.querySelector('tr[data-agent="1001"]') && d.querySelector('#queues tr[data-queue="billing"]')) {
    steps.push("agents " + d.getElementById("agent-count").textContent);
    steps.push("queues " + d.querySelectorAll("#queues tbody tr").length);
    steps.push("1001 " + d.querySelector('tr[data-agent="1001"] .state').textContent);
    if (mode === "floor") { stage = "done"; return; }
    if (mode === "review") { d.querySelector('[data-tab="reviews"]').click(); stage = "queue"; return; }
    d.getElementById("pause-reason").value = "training";
    d.querySelector('tr[data-agent="' + pauseAgent + '"] [data-act="pause"]').click();
    stage = "pausing";
  }
  if (stage === "pausing") {
    const st = d.querySelector('tr[data-agent="' + pauseAgent + '"] .state');
    if (st && st.dataset.state === "paused") {
      steps.push(pauseAgent + " " + st.textContent);
      d.querySelector('[data-tab="reviews"]').click();
      stage = "queue";
    }
  }
  if (stage === "queue") {
    const row = d.querySelector('#review-queue tr[data-call="' + callID + '"]');
    if (row) {
      steps.push("review queue " + d.getElementById("review-progress").textContent + " · " + row.children[4].textContent);
      row.querySelector('[data-act="review"]').click();
      stage = "form";
    }
  }
  if (stage === "form" && d.querySelectorAll("#review-questions select").length >= 3) {
    const set = (q, v) => { d.querySelector('select[name="' + q + '"]').value = String(v); };
    set("greeting", 1); set("verify", 1); set("tone", 3);
    d.getElementById("review-comment").value = "Clear and polite; read the work order back.";
    if (mode === "review") { stage = "done"; return; }
    d.getElementById("review-save").click();
    stage = "saving";
  }
  if (stage === "saving" && d.body.dataset.lastReviewScore) {
    steps.push("saved " + d.body.dataset.lastReviewScore);
    report();
  }
}`)

// panelReviewDriver signs in to the agent panel as 1001, reads the
// review's score and acknowledges it (mode=act), or only shows the panel
// (mode=shot).
var panelReviewDriver = chromiumtest.DriverPage(`<iframe id="f"></iframe>`, `const f = document.getElementById("f"), p = new URLSearchParams(location.search), steps = [];
let stage = "login";
fetch("/agent/login", { method: "POST", headers: { "X-Hotline-Panel": "1", "Content-Type": "application/json" },
  body: JSON.stringify({ agent: "1001", password: "pw1001" }) }).then((res) => {
  steps.push("sign-in " + res.status);
  f.src = "/agent?lang=" + (p.get("lang") || "en");
  stage = "panel";
});
function check() {
  const d = f.contentDocument;
  if (!d || !d.body || stage === "login" || stage === "done") return;
  const score = d.querySelector('#reviews [data-field="review-score"]');
  if (stage === "panel" && score) {
    steps.push("score " + score.textContent);
    if (p.get("mode") === "shot") { stage = "done"; return; }
    d.querySelector("[data-ack]").click();
    stage = "ack";
  }
  if (stage === "ack" && d.querySelector('#reviews [data-field="acknowledged"]')) {
    steps.push("acknowledged");
    stage = "done";
    fetch("/report", { method: "POST", body: JSON.stringify({ steps }) });
  }
}
setInterval(check, 100);`)

type driverReport struct {
	Steps []string `json:"steps"`
}

// driverFront serves the drivers and /report and passes the rest to h's
// server; capped, for screenshots, it ends each event stream after a
// second.
func driverFront(t *testing.T, h *harness, capped bool, reports chan driverReport) *httptest.Server {
	t.Helper()
	return chromiumtest.Front(t, "http://"+h.srv.HTTPAddr(), capped, map[string]string{"/supervisor-driver": supervisorDriver,
		"/panel-driver": panelReviewDriver, "/work-driver": workDriver}, reports)
}

// driveInChromium opens url in real time and waits for the page's report.
func driveInChromium(t *testing.T, browser, url string, reports <-chan driverReport) driverReport {
	t.Helper()
	return chromiumtest.UntilReport(t, browser, url, "1400,900", 90*time.Second, reports)
}

// screenshot pictures url under virtual time; with CONSOLE_SCREENSHOT_DIR
// set, the picture is kept there under name (for the docs).
func screenshot(t *testing.T, browser, url, size, name string) {
	t.Helper()
	png := chromiumtest.Screenshot(t, browser, url, size, 8000)
	chromiumtest.KeepIn(t, png, os.Getenv("CONSOLE_SCREENSHOT_DIR"), name)
}

// auditSeen is the store's audit log, up to limit entries, as "actor
// action result".
func auditSeen(t *testing.T, h *harness, limit int) []string {
	t.Helper()
	audit, err := h.srv.Store().AuditLog(context.Background(), store.AuditFilter{Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	var saw []string
	for _, e := range audit {
		saw = append(saw, e.Actor+" "+e.Action+" "+e.Result)
	}
	return saw
}

func withReviewForm(c *config.Config) {
	c.Quality = config.Quality{
		Teams: map[string][]string{"day_shift": {"1001", "1002"}},
		Forms: []config.QualityForm{{ID: "standard", Name: "Standard call", Sections: []config.QualitySection{
			{Title: "Opening", Questions: []config.QualityQuestion{
				{ID: "greeting", Text: "Greeted with the work number", Weight: 10, Critical: true},
				{ID: "verify", Text: "Verified the account holder", Weight: 10, Critical: true},
			}},
			{Title: "Handling", Questions: []config.QualityQuestion{
				{ID: "tone", Text: "Courteous, clear tone", Weight: 20, Max: 4},
			}},
		}}},
	}
}

// A supervisor in headless Chromium sees the live floor of a server with
// real calls, force-pauses an agent, and reviews a recorded call from the
// page; the agent sees the score on the panel and acknowledges it.
func TestConsoleInChromiumWithRealCalls(t *testing.T) {
	browser := chromiumtest.Find(t)
	h := start(t, careTestConfig, withReviewForm)
	agent, id := recordACall(t, h)
	h.agentPhone("1002", "pw1002", testphone.AutoAnswer)

	reports := make(chan driverReport, 1)
	live := driverFront(t, h, false, reports)
	shots := driverFront(t, h, true, make(chan driverReport, 8))
	screenshot(t, browser, shots.URL+"/supervisor-driver?mode=review&token=supervisor-token-0123&call="+id, "1400,900", "console-review.png")
	review := superviseAndReview(t, h, browser, live.URL, id, reports)

	screenshot(t, browser, shots.URL+"/panel-driver?mode=shot", "1280,900", "agent-panel-review.png")
	rep := driveInChromium(t, browser, live.URL+"/panel-driver?mode=act", reports)
	t.Logf("panel steps: %q", rep.Steps)
	if !slices.Contains(rep.Steps, "score 87.5") || !slices.Contains(rep.Steps, "acknowledged") {
		t.Errorf("the agent panel did not show and acknowledge the score: %q", rep.Steps)
	}
	if r, _ := h.srv.Store().ReviewOf(context.Background(), review); r.Acknowledged.IsZero() {
		t.Error("the acknowledgement was not stored")
	}

	shiftsForBoth(t, h)
	pictureTheBusyFloor(t, h, browser, shots.URL, agent)
}

// recordACall puts one call through to 1001 (billing records it) and
// waits until its recording is saved and the call stored; it returns
// 1001's phone and the call's ID.
func recordACall(t *testing.T, h *harness) (*testphone.Phone, string) {
	t.Helper()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("2")
	leg := h.agentAnswers(agent, id, "1001")
	caller.SendTone(500)
	leg.SendTone(1300)
	heard(t, leg, 50, "agent hears the caller")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	h.events.waitEnd(t, id)
	h.flushStore()
	return agent, id
}

// superviseAndReview has the console force-pause 1002 and review call id
// (87.5 of 100), and checks the floor it showed, the stored review, the
// score gauges and the audit log; it returns the review's ID.
func superviseAndReview(t *testing.T, h *harness, browser, front, id string, reports <-chan driverReport) int64 {
	t.Helper()
	rep := driveInChromium(t, browser, front+"/supervisor-driver?mode=act&token=supervisor-token-0123&pause=1002&call="+id, reports)
	t.Logf("console steps: %q", rep.Steps)
	for _, want := range []string{"sign-in 200", "agents 3 / 3", "queues 3", "1001 Available", "1002 Paused · training",
		"review queue Reviewed 0 / 1 · sample", "saved 87.5"} {
		if !slices.Contains(rep.Steps, want) {
			t.Errorf("the console did not show %q", want)
		}
	}
	h.waitAgentState("1002", "paused", "training")
	reviews, err := h.srv.Store().Reviews(context.Background(), store.ReviewFilter{From: time.Unix(0, 0), To: time.Now().AddDate(10, 0, 0)})
	if err != nil || len(reviews) != 1 {
		t.Fatalf("reviews %+v, %v", reviews, err)
	}
	if r := reviews[0]; r.CallID != id || r.Agent != "1001" || r.Score != 87.5 || r.Reviewer != "sup" || r.Form != "standard" {
		t.Errorf("review %+v", r)
	}
	if got := h.metric("hotline_quality_agent_score_ratio", "agent", "1001"); got != 0.875 {
		t.Errorf("agent score gauge %v, want 0.875", got)
	}
	if got := h.metric("hotline_quality_team_score_ratio", "team", "day_shift"); got != 0.875 {
		t.Errorf("team score gauge %v, want 0.875", got)
	}
	h.flushStore()
	saw := auditSeen(t, h, 100)
	for _, want := range []string{"sup POST /supervisor/api/reviews 201", "sup quality review ok",
		"sup POST /supervisor/api/agents/{id}/{action} 200", "sup POST /supervisor/login 200"} {
		if !slices.Contains(saw, want) {
			t.Errorf("audit log lacks %q: %q", want, saw)
		}
	}
	return reviews[0].ID
}

// shiftsForBoth gives 1001 and 1002 shifts on the phones since a minute
// ago and waits until the console's adherence column follows them.
func shiftsForBoth(t *testing.T, h *harness) {
	t.Helper()
	now := h.srv.clock.Now()
	for _, agent := range []string{"1001", "1002"} {
		body := fmt.Sprintf(`{"agent":%q,"start":%q,"end":%q,"activity":"phones"}`, agent,
			now.Add(-time.Minute).Format(time.RFC3339), now.Add(4*time.Hour).Format(time.RFC3339))
		if code, resp := h.apiRequest(t, "POST", "/shifts", "supervisor-token-0123", body); code != 201 {
			t.Fatalf("shift for %s: %d %s", agent, code, resp)
		}
	}
	waitFor(t, "adherence of 1001 and 1002 in the console", 15*time.Second, func() bool {
		adh := webadapt.Adherence(h.srv.workforce)()
		_, a := adh["1001"]
		_, b := adh["1002"]
		return a && b
	})
}

// pictureTheBusyFloor pictures the floor in each language with a call in
// progress and a caller waiting: 1001 talks, 1002 is paused, so the next
// caller waits.
func pictureTheBusyFloor(t *testing.T, h *harness, browser, shots string, agent *testphone.Phone) {
	t.Helper()
	caller2, id2 := h.dialAndPress("0")
	h.agentAnswers(agent, id2, "1001")
	caller3, id3 := h.dialAndPress("0")
	h.events.wait(t, id3, "queued", func(e call.Event) bool { return e.Kind == call.Queued })
	for _, lang := range []string{"zh", "en", "ko"} {
		screenshot(t, browser, shots+"/supervisor-driver?mode=floor&token=supervisor-token-0123&lang="+lang, "1400,900", "console-"+lang+".png")
	}
	_ = caller3.Hangup(ctxT(t, 5*time.Second))
	_ = caller2.Hangup(ctxT(t, 5*time.Second))
	h.events.waitEnd(t, id3)
	h.events.waitEnd(t, id2)
}
