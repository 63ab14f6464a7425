package workforce

import (
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// day0 is an arbitrary Monday; every time in these tests is relative to it.
var day0 = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

func at(hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return day0.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

func testRules() Rules {
	return Rules{
		Activities:     map[string][]string{"break": {"break", "lunch"}, "training": {"training"}, "meeting": {"meeting"}, "lunch": {"lunch"}},
		LateLoginAfter: 5 * time.Minute, EarlyLogoutBefore: 5 * time.Minute, AlertAfter: 10 * time.Minute, Target: 0.92,
	}
}

// shift 08:00-12:00 on the phones with a break 10:00-10:15.
func morningShift() store.Shift {
	return store.Shift{ID: 1, Agent: "1001", Start: at("08:00"), End: at("12:00"), Activity: Phones,
		Breaks: []store.ShiftBreak{{Start: at("10:00"), End: at("10:15"), Activity: "break"}}}
}

func changes(agent string, steps ...string) []store.AgentStateRecord {
	// steps: "08:03 available", "10:00 paused:lunch", …
	var out []store.AgentStateRecord
	for _, s := range steps {
		hhmm, st, _ := strings.Cut(s, " ")
		state, reason, _ := strings.Cut(st, ":")
		out = append(out, store.AgentStateRecord{Agent: agent, State: state, Reason: reason, At: at(hhmm)})
	}
	return out
}

func TestPlanSplitsTheShiftAroundItsBreaks(t *testing.T) {
	got := Plan(morningShift())
	want := []Planned{
		{Start: at("08:00"), End: at("10:00"), Activity: Phones},
		{Start: at("10:00"), End: at("10:15"), Activity: "break"},
		{Start: at("10:15"), End: at("12:00"), Activity: Phones},
	}
	if len(got) != len(want) {
		t.Fatalf("plan = %+v", got)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) || got[i].Activity != want[i].Activity {
			t.Errorf("plan[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAdherenceCountsReadyOrBusyOnPhonesAndTheMatchingPause(t *testing.T) {
	r := testRules()
	// Logs in 3 min late, takes a call, pauses for lunch during the planned
	// break (adherent), comes back 5 minutes late from it, goes to a wrong
	// pause (meeting) for 10 minutes, logs out 30 minutes early.
	hist := Segments(changes("1001",
		"08:03 available", "09:00 ringing", "09:00 talking", "09:10 wrapup", "09:11 available",
		"10:00 paused:lunch", "10:20 available", "11:00 paused:meeting", "11:10 available", "11:30 logged_out",
	), at("00:00"), at("23:59"))
	tally := r.Measure(Plan(morningShift()), hist, at("00:00"), at("23:59"))
	if tally.Scheduled != 4*time.Hour {
		t.Errorf("scheduled = %v, want 4h", tally.Scheduled)
	}
	// Phones 08:00-10:00: 117 min adherent (3 late). Break: 15 min paused
	// for lunch. Phones 10:15-12:00: 10:20-11:00 and 11:10-11:30 = 60 min.
	want := (117 + 15 + 60) * time.Minute
	if tally.Adherent != want {
		t.Errorf("adherent = %v, want %v", tally.Adherent, want)
	}
	ratio, ok := tally.Ratio()
	if !ok || ratio < 0.79 || ratio > 0.81 {
		t.Errorf("ratio = %v, %v; want 192/240", ratio, ok)
	}
	// Per half hour, 08:00-08:30 has 27 of 30 minutes.
	if got := r.Measure(Plan(morningShift()), hist, at("08:00"), at("08:30")); got.Adherent != 27*time.Minute || got.Scheduled != 30*time.Minute {
		t.Errorf("08:00-08:30 = %+v", got)
	}
	// Unscheduled time counts for nothing.
	if got := r.Measure(Plan(morningShift()), hist, at("13:00"), at("14:00")); got.Scheduled != 0 {
		t.Errorf("afternoon = %+v", got)
	}
	if _, ok := (Tally{}).Ratio(); ok {
		t.Error("a tally with nothing scheduled has a ratio")
	}
}

func TestTrainingIsAdherentOnlyWhenPausedForTraining(t *testing.T) {
	r := testRules()
	sh := store.Shift{Agent: "1001", Start: at("13:00"), End: at("14:00"), Activity: "training"}
	hist := Segments(changes("1001", "12:55 available", "13:10 paused:training", "13:40 paused:break"), at("12:00"), at("15:00"))
	got := r.Measure(Plan(sh), hist, at("12:00"), at("15:00"))
	if got.Adherent != 30*time.Minute || got.Scheduled != time.Hour {
		t.Errorf("training = %+v, want 30m of 1h (ready while training is planned does not count)", got)
	}
}

func TestAttendanceLateEarlyMissed(t *testing.T) {
	r := testRules()
	sh := morningShift()
	hist := Segments(changes("1001", "08:07 available", "11:50 logged_out"), at("00:00"), at("23:00"))
	a := r.Attend(sh, hist, at("13:00"))
	if a.Status != StatusWorked || !a.Late || a.LateBySecs != 420 || !a.FirstLogin.Equal(at("08:07")) {
		t.Errorf("late = %+v", a)
	}
	if !a.EarlyLogout || a.EarlyBySecs != 600 || !a.LastLogout.Equal(at("11:50")) {
		t.Errorf("early = %+v", a)
	}
	// Within the thresholds: neither late nor early.
	hist = Segments(changes("1001", "08:04 available", "11:56 logged_out"), at("00:00"), at("23:00"))
	if a := r.Attend(sh, hist, at("13:00")); a.Late || a.EarlyLogout || a.Status != StatusWorked {
		t.Errorf("on time = %+v", a)
	}
	// Logged in before the shift, still in after it: on time.
	hist = Segments(changes("1001", "07:50 available", "12:30 logged_out"), at("00:00"), at("23:00"))
	if a := r.Attend(sh, hist, at("13:00")); a.Late || a.EarlyLogout || a.LoggedInSecs != 4*3600 {
		t.Errorf("whole shift = %+v", a)
	}
	never := Segments(nil, at("00:00"), at("23:00"))
	if a := r.Attend(sh, never, at("13:00")); a.Status != StatusMissed {
		t.Errorf("missed = %+v", a)
	}
	if a := r.Attend(sh, never, at("09:00")); a.Status != StatusAbsent {
		t.Errorf("absent so far = %+v", a)
	}
	if a := r.Attend(sh, never, at("07:00")); a.Status != StatusUpcoming {
		t.Errorf("upcoming = %+v", a)
	}
	// In progress: an early log-out cannot be judged yet.
	hist = Segments(changes("1001", "08:00 available", "09:00 logged_out"), at("00:00"), at("09:30"))
	if a := r.Attend(sh, hist, at("09:30")); a.Status != StatusInProgress || a.EarlyLogout {
		t.Errorf("in progress = %+v", a)
	}
	var tally AttendanceTally
	tally.Add(r.Attend(sh, never, at("13:00")))
	tally.Add(r.Attend(sh, Segments(changes("1001", "08:07 available", "11:50 logged_out"), at("00:00"), at("23:00")), at("13:00")))
	tally.Add(r.Attend(sh, never, at("07:00")))
	if tally != (AttendanceTally{Scheduled: 2, Worked: 1, Missed: 1, LateLogins: 1, EarlyLogouts: 1}) {
		t.Errorf("tally = %+v", tally)
	}
}

func stateEvent(agent, hhmm, prev, state, reason string) call.Event {
	return call.Event{Kind: call.AgentStateChanged, Agent: agent, Time: at(hhmm), PrevState: prev, State: state, Reason: reason}
}

func TestTrackerLiveAdherenceAndOneAlertPerStretch(t *testing.T) {
	r := testRules()
	tr := NewTracker()
	tr.SetShifts([]store.Shift{morningShift()})
	tr.HandleEvent(stateEvent("1001", "07:58", "logged_out", "available", ""))
	tr.HandleEvent(stateEvent("1001", "09:00", "available", "paused", "meeting"))

	live := tr.Live(r, day0, at("09:05"))
	if len(live) != 1 {
		t.Fatalf("live = %+v", live)
	}
	l := live[0]
	if l.Planned != Phones || l.InAdherence == nil || *l.InAdherence || !l.OutSince.Equal(at("09:00")) {
		t.Errorf("live at 09:05 = %+v", l)
	}
	if l.ScheduledSecs != 65*60 || l.AdherentSecs != 60*60 || l.Adherence == nil {
		t.Errorf("today so far = %+v", l)
	}
	if got := tr.Due(r, day0, at("09:09")); len(got) != 0 {
		t.Errorf("alert before 10 minutes: %+v", got)
	}
	got := tr.Due(r, day0, at("09:10"))
	if len(got) != 1 || got[0].Agent != "1001" || got[0].Planned != Phones || !got[0].OutSince.Equal(at("09:00")) {
		t.Fatalf("alert at 09:10 = %+v", got)
	}
	if again := tr.Due(r, day0, at("09:30")); len(again) != 0 {
		t.Errorf("the same stretch alerted twice: %+v", again)
	}
	// Back on the phones, then out again: a new stretch, a new alert.
	tr.HandleEvent(stateEvent("1001", "09:40", "paused", "available", ""))
	tr.HandleEvent(stateEvent("1001", "09:45", "available", "logged_out", ""))
	if got := tr.Due(r, day0, at("09:56")); len(got) != 1 || !got[0].OutSince.Equal(at("09:45")) {
		t.Errorf("second stretch = %+v", got)
	}
	// In the planned break, paused for lunch: adherent.
	tr.HandleEvent(stateEvent("1001", "10:00", "logged_out", "paused", "lunch"))
	l = tr.Live(r, day0, at("10:05"))[0]
	if l.Planned != "break" || l.InAdherence == nil || !*l.InAdherence || !l.OutSince.IsZero() {
		t.Errorf("on break = %+v", l)
	}
	// After the shift nothing is planned.
	l = tr.Live(r, day0, at("12:30"))[0]
	if l.Planned != "" || l.InAdherence != nil {
		t.Errorf("after the shift = %+v", l)
	}
}

func TestOutOfAdherenceRunsAcrossABreakPlanChange(t *testing.T) {
	r := testRules()
	// Paused for a meeting from 09:50: out on the phones, still out in the
	// break (meeting is not a break reason), one stretch from 09:50.
	hist := Segments(changes("1001", "08:00 available", "09:50 paused:meeting"), day0, at("10:05"))
	if got := r.OutSince(Plan(morningShift()), hist, at("10:05")); !got.Equal(at("09:50")) {
		t.Errorf("out since = %v, want 09:50", got)
	}
}

func TestTrackerSeedFillsTheTimeBeforeTheFirstLiveEvent(t *testing.T) {
	r := testRules()
	tr := NewTracker()
	tr.SetShifts([]store.Shift{morningShift()})
	tr.HandleEvent(stateEvent("1001", "09:00", "available", "talking", ""))
	tr.Seed("1001", changes("1001", "07:00 available"), day0, at("09:30"))
	l := tr.Live(r, day0, at("09:30"))[0]
	if l.AdherentSecs != 90*60 {
		t.Errorf("seeded = %+v, want 90 minutes adherent", l)
	}
}

func TestOutOfAdherenceStartsAgainAfterUnscheduledTime(t *testing.T) {
	r := testRules()
	// Two shifts with an hour between them; logged out throughout. The
	// stretch now began when the second shift did, not at the first.
	plan := PlanOf([]store.Shift{
		{Agent: "1001", Start: at("08:00"), End: at("09:00"), Activity: Phones},
		{Agent: "1001", Start: at("10:00"), End: at("11:00"), Activity: Phones},
	})
	hist := Segments(nil, day0, at("10:30"))
	if got := r.OutSince(plan, hist, at("10:30")); !got.Equal(at("10:00")) {
		t.Errorf("out since = %v, want 10:00", got)
	}
	// Between the shifts nothing is planned: no stretch.
	if got := r.OutSince(plan, Segments(nil, day0, at("09:30")), at("09:30")); !got.IsZero() {
		t.Errorf("between shifts: out since %v", got)
	}
	// Adherent now: no stretch either.
	hist = Segments(changes("1001", "10:10 available"), day0, at("10:30"))
	if got := r.OutSince(plan, hist, at("10:30")); !got.IsZero() {
		t.Errorf("adherent now: out since %v", got)
	}
}

func TestSegmentsStartFromTheStateBeforeThePeriod(t *testing.T) {
	got := Segments(changes("1001", "07:00 available", "09:00 paused:lunch", "12:00 logged_out"), at("08:00"), at("10:00"))
	want := []Segment{
		{Start: at("08:00"), End: at("09:00"), State: "available"},
		{Start: at("09:00"), End: at("10:00"), State: "paused", Reason: "lunch"},
	}
	if len(got) != len(want) {
		t.Fatalf("segments = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
