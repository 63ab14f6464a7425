package workforce

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/store"
)

func shiftJSON(agent string, start, end time.Time, breaks string) string {
	return fmt.Sprintf(`{"agent":%q,"start":%q,"end":%q,"breaks":[%s]}`, agent, start.Format(time.RFC3339), end.Format(time.RFC3339), breaks)
}

func TestShiftCRUDThroughTheAPI(t *testing.T) {
	day := testDay()
	clock := testclock.At(day.Add(-24 * time.Hour))
	forEachStore(t, clock, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, clock)
		h := func(s string) time.Time { d, _ := time.ParseDuration(s); return day.Add(d) }
		brk := fmt.Sprintf(`{"start":%q,"end":%q,"activity":"lunch"}`, h("12h").Format(time.RFC3339), h("12h30m").Format(time.RFC3339))

		code, body := r.do("POST", "/api/v1/shifts", supToken, "application/json", shiftJSON("1001", h("8h"), h("16h"), brk))
		if code != 201 {
			t.Fatalf("create: %d %s", code, body)
		}
		var created store.Shift
		if err := json.Unmarshal([]byte(body), &created); err != nil || created.ID == 0 || created.Activity != Phones ||
			len(created.Breaks) != 1 || created.Breaks[0].Activity != "lunch" || created.UpdatedBy != "sup" {
			t.Fatalf("created = %+v (%v)", created, err)
		}
		// Bad shifts: 400 with the reason; an overlap: 409 naming the shift.
		for _, c := range []struct {
			body, want string
			code       int
		}{
			{shiftJSON("9999", h("8h"), h("9h"), ""), `agent \"9999\" is not a configured agent`, 400},
			{shiftJSON("1002", h("9h"), h("8h"), ""), "is not after start", 400},
			{shiftJSON("1002", h("8h"), h("26h"), ""), "longer than", 400},
			{shiftJSON("1001", h("15h"), h("18h"), ""), fmt.Sprintf("already has shift %d", created.ID), 409},
			{`{"agent":"1001","colour":"red"}`, "unknown field", 400},
		} {
			if code, body := r.do("POST", "/api/v1/shifts", supToken, "application/json", c.body); code != c.code || !strings.Contains(body, c.want) {
				t.Errorf("create %s: %d %s, want %d %q", c.body, code, body, c.code, c.want)
			}
		}
		path := fmt.Sprintf("/api/v1/shifts/%d", created.ID)
		if code, body := r.do("PUT", path, supToken, "application/json", shiftJSON("1001", h("9h"), h("17h"), "")); code != 200 || !strings.Contains(body, `"breaks":[]`) {
			t.Fatalf("update: %d %s", code, body)
		}
		// The same update again changes nothing and still succeeds (MySQL
		// counts no changed row).
		if code, body := r.do("PUT", path, supToken, "application/json", shiftJSON("1001", h("9h"), h("17h"), "")); code != 200 {
			t.Fatalf("update again: %d %s", code, body)
		}
		code, body = r.do("GET", "/api/v1/shifts?from="+day.Format("2006-01-02")+"&agent=1001", supToken, "", "")
		var list []store.Shift
		if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || len(list) != 1 || !list[0].Start.Equal(h("9h")) {
			t.Fatalf("list: %d %s", code, body)
		}
		if code, _ := r.do("GET", "/api/v1/shifts", agentToken, "", ""); code != 403 {
			t.Errorf("an agent token listed shifts: %d", code)
		}
		if code, _ := r.do("DELETE", path, supToken, "", ""); code != 204 {
			t.Fatalf("delete: %d", code)
		}
		if code, _ := r.do("GET", path, supToken, "", ""); code != 404 {
			t.Errorf("deleted shift read: %d", code)
		}
		if code, _ := r.do("PUT", path, supToken, "application/json", shiftJSON("1001", h("9h"), h("17h"), "")); code != 404 {
			t.Errorf("deleted shift updated: %d", code)
		}
		if code, _ := r.do("DELETE", path, supToken, "", ""); code != 404 {
			t.Errorf("deleted twice: %d", code)
		}
	})
}

type problemsBody struct {
	Error    string `json:"error"`
	Problems []struct {
		Line    int    `json:"line"`
		Problem string `json:"problem"`
	} `json:"problems"`
}

func TestCSVImportIsAllOrNothing(t *testing.T) {
	day := testDay()
	clock := testclock.At(day.Add(-24 * time.Hour))
	forEachStore(t, clock, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, clock)
		date := day.Format("2006-01-02")
		bad := "agent,date,start,end,activity,breaks\n" +
			"1001," + date + ",08:00,16:00,phones,12:00-12:30 lunch\n" + // 2: good
			"1001," + date + ",15:00,18:00,phones,\n" + // 3: overlaps line 2
			"9999," + date + ",08:00,16:00,phones,\n" + // 4: unknown agent
			"1002," + date + ",16:00,08:00,phones,\n" + // 5: end before start
			"1003," + date + ",8.30,12:00,phones,\n" // 6: bad time
		code, body := r.do("POST", "/api/v1/shifts/import", supToken, "text/csv", bad)
		var refused problemsBody
		if err := json.Unmarshal([]byte(body), &refused); code != 400 || err != nil {
			t.Fatalf("bad file: %d %s", code, body)
		}
		want := map[int]string{3: "overlaps line 2", 4: `agent "9999" is not a configured agent`, 5: "is not after start", 6: `start "8.30": want HH:MM`}
		if len(refused.Problems) != len(want) || !strings.Contains(refused.Error, "nothing was saved") {
			t.Fatalf("problems = %+v", refused)
		}
		for _, p := range refused.Problems {
			if !strings.Contains(p.Problem, want[p.Line]) || want[p.Line] == "" {
				t.Errorf("line %d: %q, want %q", p.Line, p.Problem, want[p.Line])
			}
		}
		if code, body := r.do("GET", "/api/v1/shifts?from="+date, supToken, "", ""); code != 200 || body != "[]\n" {
			t.Fatalf("a refused file left shifts: %d %s", code, body)
		}

		good := "agent,date,start,end,activity,breaks,note\n" +
			"1001," + date + ",08:00,16:00,phones,12:00-12:30 lunch,\n" +
			"1002," + date + ",22:00,06:00+1,phones,02:00-02:30,night\n" +
			"1003," + date + ",09:00,11:00,training,,tariffs\n"
		if code, body := r.do("POST", "/api/v1/shifts/import", supToken, "text/csv", good); code != 201 || !strings.Contains(body, `"created":3`) {
			t.Fatalf("good file: %d %s", code, body)
		}
		// The same file again overlaps every stored shift: refused whole.
		code, body = r.do("POST", "/api/v1/shifts/import", supToken, "text/csv", good)
		refused = problemsBody{}
		if err := json.Unmarshal([]byte(body), &refused); code != 400 || err != nil || len(refused.Problems) != 3 ||
			!strings.Contains(refused.Problems[0].Problem, "overlaps stored shift") {
			t.Fatalf("again: %d %s", code, body)
		}
		// With replace the stored shifts of those agents and days give way.
		moved := strings.ReplaceAll(good, "08:00,16:00", "09:00,17:00")
		if code, body := r.do("POST", "/api/v1/shifts/import?replace=true", supToken, "text/csv", moved); code != 201 || !strings.Contains(body, `"replaced":3`) {
			t.Fatalf("replace: %d %s", code, body)
		}
		code, body = r.do("GET", "/api/v1/shifts?from="+date+"&to="+day.AddDate(0, 0, 2).Format("2006-01-02"), supToken, "", "")
		var list []store.Shift
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) != 3 || !list[0].Start.Equal(day.Add(9*time.Hour)) {
			t.Fatalf("after replace: %d %s", code, body)
		}
		if code, body := r.do("POST", "/api/v1/shifts/import?replace=maybe", supToken, "text/csv", good); code != 400 || !strings.Contains(body, "replace") {
			t.Errorf("replace=maybe: %d %s", code, body)
		}
	})
}

// A morning's schedule and states give known adherence, attendance and
// monthly figures in all three formats.
func TestReportsFromStoredStates(t *testing.T) {
	day := testDay()
	clock := testclock.At(day.Add(-24 * time.Hour))
	forEachStore(t, clock, func(t *testing.T, st *store.Store) {
		r := newRig(t, st, clock)
		date := day.Format("2006-01-02")
		csv := "agent,date,start,end,activity,breaks\n" +
			"1001," + date + ",08:00,12:00,phones,10:00-10:15 break\n" +
			"1002," + date + ",08:00,10:00,phones,\n" +
			"1003," + date + ",08:00,09:00,training,\n"
		if code, body := r.do("POST", "/api/v1/shifts/import", supToken, "text/csv", csv); code != 201 {
			t.Fatalf("import: %d %s", code, body)
		}
		r.svc.loadShifts(context.Background()) // what the service's goroutine does after a change
		// 1001: 3 minutes late, lunch-paused in the break (adherent), back
		// 5 minutes late, a wrong pause of 10 minutes, out 30 minutes early:
		// 192 of 240 minutes. 1002: never logs in. 1003: trains all along.
		r.states("1001", day, "08:03 available", "10:00 paused:lunch", "10:20 available", "11:00 paused:meeting", "11:10 available", "11:30 logged_out")
		r.states("1003", day, "07:55 paused:training", "09:05 logged_out")
		clock.Set(day.Add(13 * time.Hour))

		checkAdherence(t, r, date)
		checkAttendance(t, r, date)
		checkAgentsDay(t, r, date)
		r.calls(day.Add(8*time.Hour + 30*time.Minute))
		checkMonthly(t, r, day)
	})
}

// checkAdherence checks the day's adherence of the morning
// TestReportsFromStoredStates stages, per agent and team, in JSON and CSV.
func checkAdherence(t *testing.T, r *rig, date string) {
	t.Helper()
	code, body := r.do("GET", "/api/v1/reports/adherence?interval=day&from="+date, adminToken, "", "")
	var rows []struct {
		Agent, Team      string
		ScheduledSeconds float64  `json:"scheduled_seconds"`
		AdherentSeconds  float64  `json:"adherent_seconds"`
		Adherence        *float64 `json:"adherence"`
	}
	if err := json.Unmarshal([]byte(body), &rows); code != 200 || err != nil {
		t.Fatalf("adherence: %d %s", code, body)
	}
	got := map[string][2]float64{}
	for _, row := range rows {
		got[row.Agent+"/"+row.Team] = [2]float64{row.ScheduledSeconds, row.AdherentSeconds}
	}
	want := map[string][2]float64{
		"1001/": {240 * 60, 192 * 60}, "1002/": {120 * 60, 0}, "1003/": {3600, 3600},
		"/all": {420 * 60, 252 * 60}, "/general": {360 * 60, 192 * 60}, "/billing": {180 * 60, 60 * 60},
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("adherence %s = %v, want %v (all: %s)", k, got[k], v, body)
		}
	}
	code, body = r.do("GET", "/api/v1/reports/adherence?interval=30m&from="+date+"&format=csv", adminToken, "", "")
	if code != 200 || !strings.HasPrefix(body, "start,end,team,agent,work_number,scheduled_seconds,adherent_seconds,adherence\n") ||
		!strings.Contains(body, ",,1001,2001,1800,1620,0.9\n") {
		t.Errorf("adherence csv: %d %s", code, body)
	}
}

// checkAttendance checks the morning's attendance: 1001 worked and left
// early, 1002 missed the shift, 1003 worked it.
func checkAttendance(t *testing.T, r *rig, date string) {
	t.Helper()
	code, body := r.do("GET", "/api/v1/reports/attendance?from="+date, adminToken, "", "")
	var att []AttendanceRow
	if err := json.Unmarshal([]byte(body), &att); code != 200 || err != nil || len(att) != 3 {
		t.Fatalf("attendance: %d %s", code, body)
	}
	if a := att[0]; a.Agent != "1001" || a.Worked != 1 || a.LateLogins != 0 || a.EarlyLogouts != 1 || a.Shifts[0].EarlyBySecs != 1800 {
		t.Errorf("1001 attendance = %+v", a)
	}
	if a := att[1]; a.Agent != "1002" || a.Missed != 1 || a.Worked != 0 || !a.AttendanceRate.Defined() || a.AttendanceRate != 0 {
		t.Errorf("1002 attendance = %+v", a)
	}
	if a := att[2]; a.Agent != "1003" || a.Worked != 1 || a.LateLogins != 0 || a.EarlyLogouts != 0 {
		t.Errorf("1003 attendance = %+v", a)
	}
}

// checkAgentsDay checks the day an agent reads of their own schedule, and
// that they read no one else's.
func checkAgentsDay(t *testing.T, r *rig, date string) {
	t.Helper()
	code, body := r.do("GET", "/api/v1/agents/1001/schedule?date="+date, agentToken, "", "")
	var ds DaySchedule
	if err := json.Unmarshal([]byte(body), &ds); code != 200 || err != nil || len(ds.Shifts) != 1 || ds.WorkNumber != "2001" ||
		len(ds.Shifts[0].Plan) != 3 || ds.Shifts[0].Attendance.Status != StatusWorked || ds.Live == nil ||
		ds.Live.ScheduledSecs != 240*60 || ds.Live.AdherentSecs != 192*60 {
		t.Errorf("agent's day: %d %s", code, body)
	}
	if code, _ := r.do("GET", "/api/v1/agents/1002/schedule", agentToken, "", ""); code != 403 {
		t.Errorf("agent 1001 read 1002's day: %d", code)
	}
	if code, _ := r.do("GET", "/api/v1/agents/4242/schedule", supToken, "", ""); code != 404 {
		t.Errorf("unknown agent's day: %d", code)
	}
}

// calls records two calls of the morning: one answered by 1001 in 8 s,
// rated 5 and classified as a resolved complaint; one abandoned after 40 s.
func (r *rig) calls(t0 time.Time) {
	r.t.Helper()
	at := func(sec int, e call.Event) {
		e.Time = t0.Add(time.Duration(sec) * time.Second)
		r.st.Recorder().HandleEvent(e)
	}
	c1 := call.Event{CallID: "c1", Caller: "13800000001", Number: "95598"}
	with := func(e call.Event, f func(*call.Event)) call.Event { f(&e); return e }
	at(0, with(c1, func(e *call.Event) { e.Kind = call.CallArrived }))
	at(1, with(c1, func(e *call.Event) { e.Kind, e.Delay = call.CallAnswered, time.Second }))
	at(5, with(c1, func(e *call.Event) { e.Kind, e.Queue = call.QueueRequested, "general" }))
	at(5, with(c1, func(e *call.Event) { e.Kind, e.Queue = call.Queued, "general" }))
	at(11, with(c1, func(e *call.Event) { e.Kind, e.Queue, e.Agent = call.AgentOffered, "general", "1001" }))
	at(13, with(c1, func(e *call.Event) {
		e.Kind, e.Queue, e.Agent, e.Wait = call.AgentAnswered, "general", "1001", 8*time.Second
	}))
	at(193, with(c1, func(e *call.Event) { e.Kind, e.Agent, e.HangupBy = call.TalkEnded, "1001", call.HangupByCaller }))
	at(193, with(c1, func(e *call.Event) {
		e.Kind, e.Result, e.HangupBy = call.CallEnded, call.ResultAnsweredByAgent, call.HangupByCaller
	}))
	at(200, with(c1, func(e *call.Event) { e.Kind, e.Score = call.SurveyAnswered, 5 }))
	at(210, with(c1, func(e *call.Event) {
		e.Kind, e.Agent, e.Category, e.Resolved = call.DispositionSet, "1001", store.ComplaintCategory, true
	}))
	at(213, with(c1, func(e *call.Event) { e.Kind, e.Agent = call.WrapupEnded, "1001" }))
	c2 := call.Event{CallID: "c2", Caller: "13800000002", Number: "95598"}
	at(60, with(c2, func(e *call.Event) { e.Kind = call.CallArrived }))
	at(61, with(c2, func(e *call.Event) { e.Kind, e.Delay = call.CallAnswered, time.Second }))
	at(65, with(c2, func(e *call.Event) { e.Kind, e.Queue = call.QueueRequested, "general" }))
	at(65, with(c2, func(e *call.Event) { e.Kind, e.Queue = call.Queued, "general" }))
	at(105, with(c2, func(e *call.Event) { e.Kind, e.Queue, e.Wait = call.Abandoned, "general", 40*time.Second }))
	at(105, with(c2, func(e *call.Event) {
		e.Kind, e.Result, e.HangupBy = call.CallEnded, call.ResultAbandonedInQueue, call.HangupByCaller
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.st.Flush(ctx); err != nil {
		r.t.Fatalf("flush: %v", err)
	}
}

type fixedScores map[string]float64

func (f fixedScores) MonitoringScores(context.Context, time.Time, time.Time) (map[string]float64, error) {
	return f, nil
}

func checkMonthly(t *testing.T, r *rig, day time.Time) {
	t.Helper()
	month := day.Format("2006-01")
	code, body := r.do("GET", "/api/v1/reports/monthly?month="+month, adminToken, "", "")
	var rep MonthlyReport
	if err := json.Unmarshal([]byte(body), &rep); code != 200 || err != nil {
		t.Fatalf("monthly: %d %s (%v)", code, body, err)
	}
	if rep.Month != month || rep.MonitoringScores || len(rep.Agents) != 3 || rep.Agents[0].WorkNumber != "2001" ||
		!strings.Contains(body, `"monitoring_score":null`) || rep.Agents[1].ShiftsMissed != 1 {
		t.Errorf("monthly = %s", body)
	}
	if v := float64(rep.Service.Adherence); v < 0.599 || v > 0.601 { // 252 of 420 minutes
		t.Errorf("team adherence = %v", v)
	}
	sv := rep.Service
	if sv.Calls != 2 || sv.Offered != 2 || sv.Answered != 1 || sv.AnsweredRate != 0.5 || sv.ServiceLevel != 0.5 ||
		sv.AbandonRate != 0.5 || sv.Complaints != 1 || sv.ComplaintsResolved != 1 || sv.SurveyResponses != 1 || sv.Satisfaction != 1 {
		t.Errorf("the month's service: %+v", sv)
	}
	if a := rep.Agents[0]; a.Calls != 1 || a.AHT != 200 || a.Satisfaction != 1 {
		t.Errorf("1001's month: %+v", a)
	}
	// The quality review's scores fill the column; agents it has none for
	// stay empty.
	r.svc.SetScores(fixedScores{"1001": 87.5, "4242": 10})
	code, body = r.do("GET", "/api/v1/reports/monthly?month="+month+"&format=csv", adminToken, "", "")
	if code != 200 || !strings.HasPrefix(body, "figure,value\nmonth,"+month+"\ncalls,2\noffered,2\nanswered,1\nanswered_rate,0.5\n") ||
		!strings.Contains(body, "\n\nwork_number,agent,name,calls,aht_seconds,adherence,") ||
		!strings.Contains(body, "2001,1001,Li Na,1,200,0.8,1,1,0,0,1,1,87.5,1,1\n") ||
		!strings.Contains(body, "2002,1002,Kim Min,0,,0,1,0,1,0,0,0,,0,\n") || strings.Contains(body, "4242") {
		t.Errorf("monthly csv: %d\n%s", code, body)
	}
	code, body = r.do("GET", "/api/v1/reports/monthly?month="+month+"&format=html", adminToken, "", "")
	if code != 200 || !strings.Contains(body, "<h1>Hotline monthly report — "+month+"</h1>") ||
		!strings.Contains(body, "<td>2001</td><td class=\"name\">Li Na (1001)</td>") || !strings.Contains(body, "<td>87.5</td>") ||
		!strings.Contains(body, `class="below">80.0 %`) {
		t.Errorf("monthly html: %d\n%s", code, body)
	}
	if code, _ := r.do("GET", "/api/v1/reports/monthly?month="+month, supToken, "", ""); code != 403 {
		t.Errorf("a supervisor read the monthly report: %d", code)
	}
}

// Without its database the schedule API says so (503) and changes
// nothing; the live view still answers from memory.
func TestSchedulesWithoutTheDatabase(t *testing.T) {
	day := testDay()
	clock := testclock.At(day)
	// Nothing listens on port 1: the store opens without its database.
	st := openStore(t, "root@tcp(127.0.0.1:1)/hl_wfm_none?timeout=1s", clock)
	r := newRig(t, st, clock)
	date := day.Format("2006-01-02")
	for _, c := range [][3]string{
		{"POST", "/api/v1/shifts", shiftJSON("1001", day.Add(8*time.Hour), day.Add(16*time.Hour), "")},
		{"POST", "/api/v1/shifts/import", "agent,date,start,end\n1001," + date + ",08:00,16:00\n"},
		{"GET", "/api/v1/shifts", ""},
		{"DELETE", "/api/v1/shifts/1", ""},
	} {
		if code, body := r.do(c[0], c[1], supToken, "", c[2]); code != 503 || !strings.Contains(body, "try again later") {
			t.Errorf("%s %s: %d %s", c[0], c[1], code, body)
		}
	}
	if code, body := r.do("GET", "/api/v1/reports/adherence", adminToken, "", ""); code != 503 {
		t.Errorf("report: %d %s", code, body)
	}
	if code, body := r.do("GET", "/api/v1/adherence", supToken, "", ""); code != 200 || !strings.Contains(body, `"agents":[]`) {
		t.Errorf("live: %d %s", code, body)
	}
}
