package agentpanel_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/web/agentpanel"
	"github.com/hotline-oss/hotline/web/internal/webtest"
	"github.com/hotline-oss/hotline/web/rest"
	"github.com/hotline-oss/hotline/web/webkit"
)

// panelTickets is the tickets feature behind the panel in the browser
// test: the caller has one open ticket; the form adds more; closing an
// unanswered one is refused with the lifecycle's reason.
type panelTickets struct {
	mu      sync.Mutex
	tickets []webtest.Ticket
}

func (p *panelTickets) Categories() []string { return []string{"complaint", "suggestion", "fault"} }

func (p *panelTickets) CallerHistory(_ context.Context, caller string) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]any{"caller": caller, "open_tickets": p.tickets, "last_calls": []map[string]any{
		{"call_id": "c-0", "arrived_at": time.Now().Add(-26 * time.Hour), "queue": "billing", "agent": "1002",
			"result": "answered_by_agent", "talk_seconds": 240.0},
	}}, nil
}

func (p *panelTickets) CreateTicket(_ context.Context, in rest.TicketInput, actor string) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := webtest.Ticket{ID: fmt.Sprintf("T-%d", len(p.tickets)+1), Version: 2, Category: in.Category, Urgency: in.Urgency,
		State: "assigned", Caller: in.Caller, Owner: in.Owner, CallIDs: []string{in.CallID},
		Description: in.Description + " (" + in.Account + ", " + actor + ")",
		Created:     time.Now(), Updated: time.Now(), Due: time.Now().Add(2 * time.Hour)}
	p.tickets = append(p.tickets, t)
	return t, nil
}

func (p *panelTickets) ChangeTicket(_ context.Context, id, action string, _ rest.TicketChangeInput, _ string) (any, error) {
	if action == "close" {
		return nil, fmt.Errorf("%w: close a ticket that is assigned: the customer has not been answered yet", webkit.ErrConflict)
	}
	return webtest.TicketView("assigned"), nil
}

func (p *panelTickets) CallCustomer(context.Context, string, string) error { return nil }

// ticketDriver signs in, waits for the caller's history, opens a ticket
// with the form, then tries to close the older ticket.
var ticketDriver = driverPage(`let stage = "login";
function rows(d) { return d.querySelectorAll("#open-tickets tbody tr[data-ticket]").length; }
function check() {
  const d = f.contentDocument;
  if (!d || !d.body) return;
  const b = d.body;
  if (stage === "login" && b.dataset.view === "login") {
    signIn(d);
    stage = "history";
  }
  if (stage === "history" && rows(d) === 1) {
    steps.push("open tickets on arrival: 1");
    steps.push("overdue shown: " + !!d.querySelector("tr.overdue"));
    steps.push("last calls: " + d.getElementById("last-calls").textContent);
    steps.push("account prefilled: " + d.getElementById("ticket-account").value);
    d.getElementById("ticket-category").value = "complaint";
    d.getElementById("ticket-urgency").value = "urgent";
    d.getElementById("ticket-description").value = "meter reads double";
    d.getElementById("ticket-open").click();
    stage = "opened";
  }
  if (stage === "opened" && rows(d) === 2) {
    steps.push("saved: " + d.getElementById("ticket-saved").textContent);
    d.querySelector('tr[data-ticket="T-1"] + tr button[data-ticket-action="close"]').click();
    stage = "close";
  }
  if (stage === "close") {
    const err = d.querySelector('tr[data-ticket="T-1"] + tr .error');
    if (err && err.textContent) {
      steps.push("close refused: " + err.textContent);
      stage = "done";
      document.getElementById("copy").innerHTML = b.innerHTML;
      result.dataset.done = "true";
    }
  }
  result.textContent = steps.join("\n");
}`)

func TestAgentPanelTicketFormInHeadlessChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	answered := time.Now().Add(-3 * time.Minute)
	src := webtest.NewPanelSource("1001")
	src.Views["1001"].Agent = rest.AgentView{ID: "1001", Name: "Li Wei", WorkNumber: "1024", State: "talking",
		Since: answered, Queues: []string{"billing"}, Registered: true, CallID: "c-1"}
	src.Views["1001"].Call = &agentpanel.PanelCall{CallID: "c-1", Caller: "13812345678", Number: "95598", Queue: "billing",
		Language: "zh", AnsweredAt: &answered, Vars: map[string]string{"account": "1234567890"}, Current: true}
	tk := &panelTickets{tickets: []webtest.Ticket{{ID: "T-1", Version: 3, Category: "fault", Urgency: "normal",
		State: "assigned", Caller: "13812345678", Owner: "1002", CallIDs: []string{"c-0"}, Description: "no power in the kitchen",
		Created: time.Now().Add(-26 * time.Hour), Updated: time.Now(), Due: time.Now().Add(-2 * time.Hour), Overdue: true}}}
	url := panelWithDriver(t, src, ticketDriver, agentpanel.WithPanelPoll(50*time.Millisecond), agentpanel.WithPanelTickets(tk))
	_, steps, done := runDriver(t, browser, url, 10000)
	for _, want := range []string{"open tickets on arrival: 1", "overdue shown: true", "last calls: ",
		"account prefilled: 1234567890", "saved: Ticket T-2 opened",
		"close refused: conflict: close a ticket that is assigned: the customer has not been answered yet"} {
		if !strings.Contains(steps, want) {
			t.Errorf("driver did not see %q", want)
		}
	}
	if !done {
		t.Fatal("driver did not finish")
	}
	tk.mu.Lock()
	created := tk.tickets[1]
	tk.mu.Unlock()
	if created.Urgency != "urgent" || created.CallIDs[0] != "c-1" ||
		created.Description != "meter reads double (1234567890, agent:1001)" {
		t.Errorf("ticket from the form %+v", created)
	}
	if dst := os.Getenv("AGENT_PANEL_TICKETS_SCREENSHOT"); dst != "" {
		chromiumtest.Keep(t, chromiumtest.Screenshot(t, browser, url, "1280,1100", 10000), dst)
	}
}
