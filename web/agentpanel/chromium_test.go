package agentpanel_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/internal/webtest"
	"github.com/hotline-oss/hotline/web/rest"
)

// callAfterReady is an ACD where a caller is waiting: once the agent
// presses Ready, the call is put through a moment later.
type callAfterReady struct {
	*webtest.PanelSource
	call *agentpanel.PanelCall
}

func (c callAfterReady) Ready(agent string) error {
	if err := c.PanelSource.Ready(agent); err != nil {
		return err
	}
	time.AfterFunc(200*time.Millisecond, func() {
		c.PanelSource.Edit(agent, func(v *agentpanel.PanelView) {
			v.Agent.State, v.Agent.Since, v.Agent.CallID = "talking", *c.call.AnsweredAt, c.call.CallID
			v.Agent.CallsToday++
		})
		c.PanelSource.SetCall(agent, c.call)
	})
	return nil
}

// driverPage is a test page that works the panel in an iframe like an
// agent would, with check, a script that runs on every change of the
// panel and every 100 ms. Headless Chromium dumps only the top document,
// so check writes its steps into #result, sets its data-done to "true"
// when it is through, and may copy the panel's DOM into #copy. signIn
// types 1001's credentials into the login form and clicks Sign in.
func driverPage(check string) string {
	return chromiumtest.DriverPage(`
<iframe id="f" src="/agent?lang=en"></iframe>
<pre id="result" hidden data-done="false"></pre>
<div id="copy" hidden></div>`, `const f = document.getElementById("f"), result = document.getElementById("result"), steps = [];
function signIn(d) {
  d.getElementById("login-agent").value = "1001";
  d.getElementById("login-password").value = "pw1001";
  d.getElementById("login-submit").click();
}
`+check+`
f.addEventListener("load", () => {
  new MutationObserver(check).observe(f.contentDocument, { subtree: true, childList: true, attributes: true, characterData: true });
  check();
});
setInterval(check, 100);`)
}

// panelDriver signs in, clicks Ready, and writes down what the panel
// showed at each step.
var panelDriver = driverPage(`let stage = "login";
function check() {
  const d = f.contentDocument;
  if (!d || !d.body) return;
  const b = d.body, state = d.getElementById("state");
  if (stage === "login" && b.dataset.view === "login") {
    signIn(d);
    stage = "submitted";
    steps.push("login submitted");
  }
  if (stage === "submitted" && b.dataset.view === "panel" && state.dataset.state) {
    steps.push("state before: " + state.dataset.state);
    d.querySelector('[data-action="ready"]').click();
    stage = "ready";
  }
  if (stage === "ready" && state.dataset.state !== "paused") {
    steps.push("state after ready: " + state.dataset.state);
    stage = "call";
  }
  if (stage === "call" && !d.getElementById("call").hidden) {
    steps.push("caller: " + d.querySelector('[data-field="caller"]').textContent);
    steps.push("state with call: " + state.dataset.state);
    stage = "done";
    document.getElementById("copy").innerHTML = b.innerHTML;
    result.dataset.done = "true";
  }
  result.textContent = steps.join("\n");
}`)

// panelWithDriver serves the panel of src, with opts, and the driver
// page at /driver; it returns the driver's URL. Headless virtual time
// stands still while a fetch is open, so each event stream ends after a
// second; the page reconnects by itself.
func panelWithDriver(t *testing.T, src agentpanel.AgentPanelSource, driver string, opts ...agentpanel.PanelOption) string {
	t.Helper()
	p, err := agentpanel.New(src, webtest.PanelPasswords, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Routes(mux)
	srv := httptest.NewServer(chromiumtest.Pages(chromiumtest.CapStreams(mux), map[string]string{"/driver": driver}))
	t.Cleanup(func() {
		p.Shutdown()
		srv.Close()
	})
	return srv.URL + "/driver"
}

var driverResult = regexp.MustCompile(`<pre id="result" hidden="" data-done="(\w+)">([^<]*)</pre>`)

// runDriver lets the driver at url work the panel for budgetMS
// milliseconds of virtual time and returns the DOM then, the steps the
// driver wrote down, and whether it finished; it fails the test when the
// DOM holds no result.
func runDriver(t *testing.T, browser, url string, budgetMS int) (dom, steps string, done bool) {
	t.Helper()
	dom = chromiumtest.DumpDOM(t, browser, url, budgetMS)
	res := driverResult.FindStringSubmatch(dom)
	if res == nil {
		t.Fatalf("no driver result in the DOM:\n%s", dom)
	}
	t.Logf("driver steps:\n%s", res[2])
	return dom, res[2], res[1] == "true"
}

func panelChromiumServer(t *testing.T) string {
	t.Helper()
	answered := time.Now().Add(-95 * time.Second)
	src := webtest.NewPanelSource("1001")
	src.Views["1001"].Agent = rest.AgentView{ID: "1001", Name: "Li Wei", WorkNumber: "1024", State: "paused", Reason: "lunch",
		Since: time.Now().Add(-7 * time.Minute), Queues: []string{"general", "billing"}, CallsToday: 14, Registered: true}
	src.Views["1001"].QueueNames = map[string]string{"general": "General enquiries", "billing": "Billing & payments"}
	fake := callAfterReady{PanelSource: src, call: &agentpanel.PanelCall{
		CallID: "c-1", Caller: "13812345678", Number: "95598", Queue: "billing", Language: "zh", WaitSeconds: 42,
		AnsweredAt: &answered, IVRPath: []string{"greeting", "notice", "menu", "account", "billing"},
		Vars: map[string]string{"account": "1234567890", "menu_choice": "2"}, Current: true,
	}}
	return panelWithDriver(t, fake, panelDriver, agentpanel.WithPanelPoll(50*time.Millisecond))
}

func TestAgentPanelInHeadlessChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	url := panelChromiumServer(t)
	dom, steps, done := runDriver(t, browser, url, 8000)
	for _, want := range []string{"login submitted", "state before: paused", "state after ready: available",
		"caller: 13812345678", "state with call: talking"} {
		if !strings.Contains(steps, want) {
			t.Errorf("driver did not see %q", want)
		}
	}
	if !done {
		t.Fatalf("driver did not finish")
	}
	for _, want := range []string{
		`data-var="account">1234567890<`,
		`data-field="path"><span>greeting</span><i>›</i><span>notice</span><i>›</i><span>menu</span><i>›</i><span>account</span><i>›</i><span>billing</span><`,
		`data-field="number">95598<`,
		// Queues under their display names, not their keys.
		`data-field="queues">General enquiries, Billing &amp; payments<`,
		`data-field="queue">Billing &amp; payments<`,
		`id="disposition-card"`,
		`<input type="radio" name="category" value="complaint">`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("panel DOM lacks %s", want)
		}
	}
	if strings.Contains(dom, `id="disposition-card" hidden`) {
		t.Error("disposition form hidden while a call is connected")
	}

	png := chromiumtest.Screenshot(t, browser, url, "1280,820", 8000)
	// Set AGENT_PANEL_SCREENSHOT to a path to keep the picture for the docs.
	chromiumtest.Keep(t, png, os.Getenv("AGENT_PANEL_SCREENSHOT"))
}
