package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/chromiumtest"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// workDriver works the console's Schedules, Tickets and Repeat
// complainers views in an iframe. mode=act adds a shift for 1001 from the
// form, imports a CSV with two bad lines and then a good one, opens the
// overdue tickets from the header, assigns ticket `ticket` to 1002, reads
// its history and the repeat complainers, and posts what it saw to
// /report. mode=schedules, tickets and complainers only set a view up for
// a screenshot (no change is kept: the CSV shown is refused).
var workDriver = consoleDriverPage(`const mode = p.get("mode"), ticket = p.get("ticket"), complainer = p.get("complainer");
let day = "";
function importFile(d, csv) {
  const dt = new DataTransfer();
  dt.items.add(new File([csv], "week.csv", { type: "text/csv" }));
  d.getElementById("import-file").files = dt.files;
  d.getElementById("import-form").requestSubmit();
}
const badCSV = () => "agent,date,start,end,activity,breaks,note\n1002," + day + ",09:00,17:00,phones,12:00-12:30 lunch,\n" +
  "9999," + day + ",09:00,17:00,phones,,\n1002," + day + ",16:00,18:00,training,,new tariffs\n";
function check() {
  const d = f.contentDocument;
  if (!d || !d.body || stage === "login" || stage === "done") return;
  const text = (sel) => (d.querySelector(sel) || {}).textContent || "";
  if (stage === "live" && Number(d.body.dataset.updates || 0) >= 2 && !d.getElementById("ticket-counts").hidden) {
    steps.push("header " + text("#ticket-counts").replace(/\s+/g, " ").trim());
    if (mode === "tickets") { d.getElementById("ticket-counts").click(); stage = "tickets"; return; }
    if (mode === "complainers") { d.querySelector('[data-tab="complainers"]').click(); stage = "complainers"; return; }
    d.querySelector('[data-tab="schedules"]').click();
    stage = "schedules";
  }
  if (stage === "schedules" && d.getElementById("shift-date").value && d.querySelector("#shifts tbody tr, #no-shifts:not([hidden])")) {
    day = d.getElementById("shift-date").value;
    if (mode === "schedules") { importFile(d, badCSV()); stage = "refused"; return; }
    d.getElementById("shift-new").click();
    d.getElementById("shift-agent").value = "1001";
    d.getElementById("shift-start").value = day + "T08:00";
    d.getElementById("shift-end").value = day + "T16:00";
    d.getElementById("shift-breaks").value = "12:00-12:30 lunch; 14:30-14:45";
    d.getElementById("shift-note").value = "from the console";
    d.getElementById("shift-form").requestSubmit();
    stage = "shift";
  }
  if (stage === "shift" && d.querySelector('#shifts tr[data-agent="1001"]')) {
    const c = d.querySelector('#shifts tr[data-agent="1001"]').children;
    steps.push("shift " + c[0].textContent + " " + c[1].textContent + "-" + c[2].textContent + " " + c[4].textContent + " · " + c[7].textContent);
    importFile(d, badCSV());
    stage = "refused";
  }
  if (stage === "refused" && d.querySelectorAll("#import-problems li").length) {
    steps.push("refused " + text("#import-result"));
    for (const li of d.querySelectorAll("#import-problems li")) steps.push(li.textContent);
    if (mode === "schedules") { stage = "done"; return; }
    importFile(d, "agent,date,start,end,activity,breaks,note\n1002," + day + ",09:00,17:00,phones,12:00-12:30 lunch,\n");
    stage = "imported";
  }
  if (stage === "imported" && d.querySelector('#shifts tr[data-agent="1002"]')) {
    steps.push("imported " + text("#import-result"));
    d.getElementById("ticket-counts").click();
    stage = "tickets";
  }
  if (stage === "tickets" && d.querySelector('#tickets tr[data-ticket="' + ticket + '"]')) {
    const row = d.querySelector('#tickets tr[data-ticket="' + ticket + '"]');
    steps.push("overdue list " + text("#ticket-count") + " · " + row.children[3].textContent);
    if (mode === "tickets") { row.click(); stage = "shot-history"; return; }
    row.querySelector(".assign-owner").value = "1002";
    row.querySelector('[data-act="assign"]').click();
    stage = "assigning";
  }
  if (stage === "shot-history" && d.querySelector("#ticket-history tbody tr")) { stage = "done"; return; }
  if (stage === "assigning") {
    const row = d.querySelector('#tickets tr[data-ticket="' + ticket + '"]');
    if (row && row.children[5].textContent === "1002") {
      steps.push("assigned " + row.children[3].textContent);
      row.click();
      stage = "history";
    }
  }
  if (stage === "history" && d.querySelectorAll("#ticket-history tbody tr").length >= 3) {
    for (const tr of d.querySelectorAll("#ticket-history tbody tr")) steps.push("history " + tr.children[1].textContent + " " + tr.children[2].textContent);
    d.querySelector('[data-tab="complainers"]').click();
    stage = "complainers";
  }
  if (stage === "complainers" && d.querySelector('#complainers tr[data-caller="' + complainer + '"]')) {
    const c = d.querySelector('#complainers tr[data-caller="' + complainer + '"]').children;
    steps.push("complainer " + c[1].textContent + " " + c[2].textContent + " " + c[3].querySelectorAll("button").length + " tickets");
    if (mode === "complainers") { stage = "done"; return; }
    report();
  }
}`)

// A supervisor in headless Chromium works the schedules and the tickets
// of a running server from the console: adds a shift with the form, sees
// a CSV refused with each bad line, imports a good one, sees an overdue
// ticket counted in the header and listed, assigns it to an agent, reads
// its history, and finds a repeat complainer of the month.
func TestConsoleSchedulesAndTicketsInChromium(t *testing.T) {
	browser := chromiumtest.Find(t)
	t.Setenv("TZ", "Asia/Shanghai") // the browser's clock shows the hotline's zone
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h, clock := startTickets(t, gw, func(cfg *config.Config) { cfg.Database.ReportTimezone = "Asia/Shanghai" })
	const complainer = "13900000005"
	urgent := openTickets(t, h, complainer)
	clock.jump(121 * time.Minute) // past the urgent ticket's 2-hour deadline
	h.srv.tickets.Sweep()
	h.flushStore()

	reports := make(chan driverReport, 1)
	live := driverFront(t, h, false, reports)
	query := "?token=" + supervisorToken + "&ticket=" + urgent + "&complainer=" + complainer + "&mode="
	rep := driveInChromium(t, browser, live.URL+"/work-driver"+query+"act", reports)
	t.Logf("console steps: %q", rep.Steps)
	checkWorkSteps(t, rep.Steps)
	checkWorkStored(t, h, urgent)

	shots := driverFront(t, h, true, make(chan driverReport, 8))
	base := shots.URL + "/work-driver" + query
	screenshot(t, browser, base+"schedules", "1400,900", "console-schedules.png")
	screenshot(t, browser, base+"tickets", "1400,900", "console-tickets.png")
	screenshot(t, browser, base+"complainers&lang=zh", "1400,700", "console-complainers.png")
}

// openTickets opens an urgent ticket (its ID returned) and five
// complaints from complainer.
func openTickets(t *testing.T, h *harness, complainer string) string {
	t.Helper()
	urgent := h.ticketAPI(t, "POST", "/tickets", supervisorToken, `{"category":"complaint","urgency":"urgent",`+
		`"description":"sparks at the meter","caller":"13800000001"}`, http.StatusCreated)
	for i := range 5 {
		h.ticketAPI(t, "POST", "/tickets", supervisorToken, fmt.Sprintf(`{"category":"complaint","description":"bill too high, call %d","caller":%q}`,
			i+1, complainer), http.StatusCreated)
	}
	return urgent.ID
}

// checkWorkSteps checks what the work driver saw in the console.
func checkWorkSteps(t *testing.T, steps []string) {
	t.Helper()
	for _, want := range []string{
		"sign-in 200", "header Open tickets 6 · overdue 1",
		"refused schedule refused: 2 problems, nothing was saved",
		`line 3: agent "9999" is not a configured agent`,
		"overdue list 1 · open · overdue", "assigned assigned · overdue",
		"history sup assigned", "complainer 5 5 or more 5 tickets",
	} {
		if !slices.Contains(steps, want) {
			t.Errorf("the console did not show %q", want)
		}
	}
	if !slices.ContainsFunc(steps, func(s string) bool {
		return strings.HasPrefix(s, "line 4: agent 1002") && strings.Contains(s, "overlaps line 2")
	}) {
		t.Error("the overlap of line 4 with line 2 was not shown")
	}
	if !slices.ContainsFunc(steps, func(s string) bool {
		return strings.HasPrefix(s, "shift 1001 08:00-16:00 12:00-12:30 lunch; 14:30-14:45 break · ") && strings.HasSuffix(s, "%")
	}) {
		t.Error("the shift made with the form is not listed with its breaks and 1001's adherence")
	}
	if !slices.Contains(steps, "imported 1 shifts imported, 0 replaced") {
		t.Error("the corrected file was not imported")
	}
}

// checkWorkStored checks that what the page did is in the database,
// under the supervisor's name: the two shifts, ticket urgent assigned to
// 1002, and the audit log's entries.
func checkWorkStored(t *testing.T, h *harness, urgent string) {
	t.Helper()
	h.flushStore()
	now := h.srv.clock.Now()
	shifts, err := h.srv.Store().Shifts(context.Background(), store.ShiftFilter{From: now.Add(-24 * time.Hour), To: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sh := range shifts {
		got = append(got, fmt.Sprintf("%s %s %d breaks by %s", sh.Agent, sh.Activity, len(sh.Breaks), sh.UpdatedBy))
	}
	if !slices.Equal(got, []string{"1001 phones 2 breaks by sup", "1002 phones 1 breaks by sup"}) {
		t.Errorf("stored shifts %q", got)
	}
	if v := h.ticketAPI(t, "GET", "/tickets/"+urgent, supervisorToken, "", 200); v.State != "assigned" || v.Owner != "1002" {
		t.Errorf("ticket after the console's assignment: %+v", v)
	}
	saw := auditSeen(t, h, 200)
	for _, want := range []string{"sup POST /supervisor/api/shifts 201", "sup POST /supervisor/api/shifts/import 400",
		"sup POST /supervisor/api/shifts/import 201", "sup POST /supervisor/api/tickets/{id}/assign 200"} {
		if !slices.Contains(saw, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
}
