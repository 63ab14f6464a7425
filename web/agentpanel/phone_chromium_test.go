package agentpanel_test

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/internal/webtest"
)

// unregisteredDriver signs in as an agent whose softphone is not
// registered and copies out what the panel then shows.
var unregisteredDriver = driverPage(`let submitted = false;
function check() {
  const d = f.contentDocument;
  if (!d || !d.body) return;
  if (!submitted && d.body.dataset.view === "login") {
    signIn(d);
    submitted = true;
  }
  const note = d.getElementById("state-note");
  if (submitted && d.body.dataset.view === "panel" && note && note.textContent) {
    const login = d.querySelector('[data-action="login"]');
    result.textContent = "login disabled: " + login.disabled + "\nnote: " + note.textContent +
      "\nsoftphone: " + d.querySelector('[data-field="registered"]').textContent;
    result.dataset.done = "true";
  }
}`)

// The panel of an agent without a registered phone says so and offers no
// Log in button that the server would refuse.
func TestAgentPanelWithoutPhoneInHeadlessChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	url := panelWithDriver(t, webtest.NewPanelSource("1001"), unregisteredDriver) // logged out, not registered
	dom, steps, done := runDriver(t, browser, url, 5000)
	if !done {
		t.Fatalf("driver did not finish:\n%s", dom)
	}
	for _, want := range []string{"login disabled: true", "note: register your softphone to log in",
		"softphone: not registered: calls cannot reach you"} {
		if !strings.Contains(steps, want) {
			t.Errorf("panel showed %q, want %q", steps, want)
		}
	}
}
