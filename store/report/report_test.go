package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// The report day is 10 March 2025 on the wall clock of UTC+8, which starts
// at 16:00 UTC the day before.
var (
	cst  = time.FixedZone("CST", 8*3600)
	day1 = time.Date(2025, 3, 10, 0, 0, 0, 0, cst)
	day2 = day1.AddDate(0, 0, 1)
	day3 = day1.AddDate(0, 0, 2)
)

func TestIntervalBoundaries(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	kathmandu, err := time.LoadLocation("Asia/Kathmandu") // UTC+5:45
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		iv         Interval
		loc        *time.Location
		t          string // RFC 3339
		start, end string
	}{
		{Interval30m, kathmandu, "2025-03-10T09:44:59+05:45", "2025-03-10T09:30:00+05:45", "2025-03-10T10:00:00+05:45"},
		{IntervalDay, cst, "2025-03-10T23:59:59+08:00", "2025-03-10T00:00:00+08:00", "2025-03-11T00:00:00+08:00"},
		// The day daylight saving starts is 23 hours long.
		{IntervalDay, ny, "2025-03-09T12:00:00-04:00", "2025-03-09T00:00:00-05:00", "2025-03-10T00:00:00-04:00"},
		{Interval30m, ny, "2025-03-09T03:10:00-04:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00"},
		{IntervalWeek, cst, "2025-03-16T23:00:00+08:00", "2025-03-10T00:00:00+08:00", "2025-03-17T00:00:00+08:00"},
		{IntervalWeek, cst, "2025-03-10T00:00:00+08:00", "2025-03-10T00:00:00+08:00", "2025-03-17T00:00:00+08:00"},
		{IntervalMonth, cst, "2025-02-28T16:30:00Z", "2025-03-01T00:00:00+08:00", "2025-04-01T00:00:00+08:00"},
		{IntervalMonth, ny, "2025-12-31T23:00:00-05:00", "2025-12-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00"},
	}
	for _, c := range cases {
		tt, _ := time.Parse(time.RFC3339, c.t)
		wantStart, _ := time.Parse(time.RFC3339, c.start)
		wantEnd, _ := time.Parse(time.RFC3339, c.end)
		start := c.iv.Start(tt, c.loc)
		if !start.Equal(wantStart) || !c.iv.Next(start).Equal(wantEnd) {
			t.Errorf("%s of %s in %s = %v..%v, want %v..%v", c.iv, c.t, c.loc, start, c.iv.Next(start), wantStart, wantEnd)
		}
	}
	if n := len(IntervalDay.Starts(day1, day3, cst)); n != 2 {
		t.Errorf("two days have %d day intervals", n)
	}
	if _, err := ParseInterval("fortnight"); err == nil {
		t.Error("unknown interval accepted")
	}
}

func TestFigureEncodings(t *testing.T) {
	data, err := json.Marshal(struct {
		A, B Figure
	}{Figure(0.5), undefined()})
	if err != nil || string(data) != `{"A":0.5,"B":null}` {
		t.Fatalf("json = %s, %v", data, err)
	}
	if Figure(2.0/3).String() != "0.667" || undefined().String() != "" || undefined().Defined() {
		t.Errorf("strings: %q %q", Figure(2.0/3).String(), undefined().String())
	}
	if f := ratio(1, 0); f.Defined() || !math.IsNaN(float64(f)) {
		t.Errorf("ratio by zero = %v", f)
	}
}

func TestWriteCSV(t *testing.T) {
	rows := []AgentRow{{
		Agent: "alice", Calls: 2, TalkTime: 300, Occupancy: Figure(330.0 / 28740), CallsPerHour: undefined(),
		PausedByReason: map[string]float64{"training": 1800, "lunch": 3600},
	}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("csv = %q", buf.String())
	}
	header := strings.Split(lines[0], ",")
	cells := strings.Split(lines[1], ",")
	cell := func(name string) string {
		for i, h := range header {
			if h == name {
				return cells[i]
			}
		}
		t.Fatalf("no column %s in %v", name, header)
		return ""
	}
	if cell("agent") != "alice" || cell("calls") != "2" || cell("talk_seconds") != "300" ||
		cell("occupancy") != "0.011" || cell("calls_per_hour") != "" ||
		cell("paused_by_reason") != "lunch=3600;training=1800" {
		t.Errorf("csv row = %q", lines[1])
	}

	buf.Reset()
	ir := []IntervalRow{{Queue: "billing", Start: day1, End: day2, ServiceLevel: 0.5}}
	if err := WriteCSV(&buf, ir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "billing,2025-03-10T00:00:00+08:00,2025-03-11T00:00:00+08:00,0,") {
		t.Errorf("interval csv = %q", buf.String())
	}
	if err := WriteCSV(&buf, []int{1}); err == nil {
		t.Error("csv of ints accepted")
	}
}
