package app

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/signedhttp"
	"github.com/hotline-oss/hotline/workforce"
)

// A schedule and real agents: phones registered over SIP, log-ins and
// pauses through the API, the server's clock moved by hand. The adherence
// the server reports live, in Prometheus, on the wallboard and in the
// stored reports is the one worked out by hand below, and staying out of
// adherence raises one alert. On SQLite, and on MariaDB when
// HOTLINE_TEST_MYSQL_DSN is set.
func TestScheduleAdherenceWithRealAgents(t *testing.T) {
	onSQLiteAndMariaDB(t, scheduleAdherence)
}

func scheduleAdherence(t *testing.T, dsn string) {
	t0 := time.Date(officeOpen.Year(), officeOpen.Month(), officeOpen.Day(), 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	clock := testclock.At(t0.Add(-5 * time.Minute))
	hook := newAlertReceiver(t, "wfm-webhook-secret")
	h := startPrepared(t, acdTestConfig, func(cfg *config.Config) {
		alert := time.Minute
		cfg.Workforce.AlertAfter = &alert
		cfg.Workforce.Activities = map[string][]string{"break": {"break", "lunch"}}
		cfg.Database.ReportTimezone = "Asia/Shanghai" // t0 is 09:00 there
		cfg.Database.DSN = dsn
		cfg.Webhooks = []config.Webhook{{URL: hook.url, Secret: "wfm-webhook-secret", Kinds: []string{"adherence_alert"}}}
	}, func(s *Server) { s.clock = clock })
	for _, id := range []string{"1001", "1002"} {
		clock.Advance(time.Second) // each registration's nonce at its own time
		h.registerAgent(id, "pw"+id)
	}
	at := func(minutes int, agent, action, body string) {
		t.Helper()
		clock.Set(t0.Add(time.Duration(minutes) * time.Minute))
		if code, out := h.apiRequest(t, "POST", "/agents/"+agent+"/"+action, supervisorToken, body); code != 200 {
			t.Fatalf("+%dm %s %s: %d %s", minutes, agent, action, code, out)
		}
	}

	day := planShifts(t, h, t0)

	at(1, "1002", "login", "")
	at(2, "1002", "pause", `{"reason":"training"}`) // 28 of 30 minutes
	at(6, "1001", "login", "")                      // 6 minutes late
	at(30, "1001", "pause", `{"reason":"lunch"}`)   // the planned break
	at(45, "1001", "ready", "")                     // 5 minutes late back
	at(50, "1001", "pause", `{"reason":"meeting"}`) // out of adherence
	clock.Set(t0.Add(52 * time.Minute))
	checkAdherenceAlert(t, h, hook)
	at(55, "1001", "ready", "")
	clock.Set(t0.Add(time.Hour))
	// 1001: 24 + 10 + 5 + 5 = 44 of 60 minutes; both: 72 of 90.
	want1001, wantTeam := 44.0/60, 72.0/90

	h.checkLiveAdherence(t, want1001, wantTeam)

	// The stored states give the same figures in the reports.
	h.checkAdherenceReports(t, day)
}

// planShifts gives 1001 a shift with a break through the API and imports
// 1002's training from CSV; it returns the day in report time.
func planShifts(t *testing.T, h *harness, t0 time.Time) string {
	t.Helper()
	// 1001: on the phones 09:00-10:00 with a break 09:30-09:40.
	// 1002: training 09:00-09:30 (Shanghai), imported from CSV.
	shift := func(agent string, from, to time.Duration, breaks string) string {
		return fmt.Sprintf(`{"agent":%q,"start":%q,"end":%q,"breaks":[%s]}`, agent,
			t0.Add(from).Format(time.RFC3339), t0.Add(to).Format(time.RFC3339), breaks)
	}
	brk := fmt.Sprintf(`{"start":%q,"end":%q}`, t0.Add(30*time.Minute).Format(time.RFC3339), t0.Add(40*time.Minute).Format(time.RFC3339))
	if code, out := h.apiRequest(t, "POST", "/shifts", supervisorToken, shift("1001", 0, time.Hour, brk)); code != 201 {
		t.Fatalf("shift: %d %s", code, out)
	}
	day := t0.In(h.srv.cfg.ReportLocation()).Format("2006-01-02")
	csv := "agent,date,start,end,activity\n1002," + day + ",09:00,09:30,training\n"
	if code, out := h.apiRequest(t, "POST", "/shifts/import", supervisorToken, csv); code != 201 || !strings.Contains(out, `"created":1`) {
		t.Fatalf("import: %d %s", code, out)
	}
	return day
}

// checkAdherenceAlert checks the alert raised for 1001's meeting, as an
// event and as a signed webhook.
func checkAdherenceAlert(t *testing.T, h *harness, hook *alertReceiver) {
	t.Helper()
	alert := h.events.wait(t, "", "adherence alert", func(e call.Event) bool { return e.Kind == call.AdherenceAlert })
	if alert.Agent != "1001" || alert.Detail != "phones" || alert.State != "paused" || alert.Reason != "meeting" || alert.Wait < time.Minute {
		t.Errorf("alert = %+v", alert)
	}
	select {
	case body := <-hook.bodies:
		var got struct{ Kind, Agent, Detail, State, Reason string }
		if err := json.Unmarshal(body, &got); err != nil || got.Kind != "adherence_alert" || got.Agent != "1001" ||
			got.Detail != "phones" || got.Reason != "meeting" {
			t.Errorf("webhook body: %s (%v)", body, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no signed webhook for the alert")
	}
}

// checkLiveAdherence checks the adherence the API, Prometheus and the
// wallboard show at the end of the hour.
func (h *harness) checkLiveAdherence(t *testing.T, want1001, wantTeam float64) {
	t.Helper()
	var live workforce.LiveView
	code, out := h.apiRequest(t, "GET", "/adherence", supervisorToken, "")
	if err := json.Unmarshal([]byte(out), &live); code != 200 || err != nil {
		t.Fatalf("adherence: %d %s", code, out)
	}
	byAgent := map[string]workforce.AgentLive{}
	for _, a := range live.Agents {
		byAgent[a.Agent] = a
	}
	if a := byAgent["1001"]; a.Adherence == nil || !near(*a.Adherence, want1001) || a.ScheduledSecs != 3600 {
		t.Errorf("1001 live: %s", out)
	}
	if a := byAgent["1002"]; a.Adherence == nil || !near(*a.Adherence, 28.0/30) {
		t.Errorf("1002 live: %s", out)
	}
	if got := h.metric("hotline_agent_adherence_ratio", "agent", "1001"); !near(got, want1001) {
		t.Errorf("hotline_agent_adherence_ratio{1001} = %v, want %v", got, want1001)
	}
	if got := h.metric("hotline_team_adherence_ratio", "team", "general"); !near(got, wantTeam) {
		t.Errorf("hotline_team_adherence_ratio{general} = %v, want %v", got, wantTeam)
	}
	if got := h.metric("hotline_adherence_alerts_total"); got != 1 {
		t.Errorf("alerts = %v, want 1", got)
	}
	for _, q := range h.srv.wallboard().([]metrics.QueueFigures) {
		if q.Queue == "general" && (!q.Adherence.Defined || !near(q.Adherence.Value, wantTeam) || q.AdherenceTarget != 0.92) {
			t.Errorf("wallboard general: %+v", q)
		}
	}
}

// checkAdherenceReports checks that the stored states give the same
// figures in the adherence, attendance and monthly reports.
func (h *harness) checkAdherenceReports(t *testing.T, day string) {
	t.Helper()
	if err := h.srv.Store().Flush(ctxT(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	code, out := h.apiRequest(t, "GET", "/reports/adherence?interval=day&from="+day, adminToken, "")
	if code != 200 || !strings.Contains(out, `"agent":"1001","work_number":"1024","scheduled_seconds":3600,"adherent_seconds":2640`) ||
		!strings.Contains(out, `"team":"general","scheduled_seconds":5400,"adherent_seconds":4320,"adherence":0.8}`) {
		t.Errorf("adherence report: %d %s", code, out)
	}
	code, out = h.apiRequest(t, "GET", "/reports/attendance?from="+day, adminToken, "")
	if code != 200 || !strings.Contains(out, `"agent":"1001","work_number":"1024","shifts_scheduled":1,"shifts_worked":1,"shifts_missed":0,"late_logins":1`) {
		t.Errorf("attendance report: %d %s", code, out)
	}
	code, out = h.apiRequest(t, "GET", "/reports/monthly?format=html&month="+day[:7], adminToken, "")
	if code != 200 || !strings.Contains(out, "<td>1024</td><td class=\"name\">Li Wei (1001)</td>") || !strings.Contains(out, "73.3 %") {
		t.Errorf("monthly page: %d %s", code, out)
	}
}

// alertReceiver is a webhook endpoint that keeps the bodies whose
// signature is right and refuses the others.
type alertReceiver struct {
	url    string
	bodies chan []byte
}

func newAlertReceiver(t *testing.T, secret string) *alertReceiver {
	r := &alertReceiver{bodies: make(chan []byte, 8)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// No keep-alive: the server's connection must not outlive the
		// test's goroutine check.
		w.Header().Set("Connection", "close")
		body, _ := io.ReadAll(req.Body)
		if req.Header.Get(signedhttp.SignatureHeader) != "sha256="+signedhttp.Sign([]byte(secret), body) {
			t.Errorf("webhook with a bad signature: %q", req.Header.Get(signedhttp.SignatureHeader))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.bodies <- body
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
