package ivr_test

import (
	"testing"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/internal/ivrtest"
)

func parseOneCalendar(t *testing.T, src string) *ivr.Calendar {
	t.Helper()
	_, cals, err := ivrtest.ParseConfig(t, "cal.yaml", src, ivr.Validator{})
	if err != nil {
		t.Fatal(err)
	}
	return cals["c"]
}

func TestCalendarRangesAndWrappedDays(t *testing.T) {
	c := parseOneCalendar(t, `
calendars:
  c:
    timezone: UTC
    hours:
      fri-mon: "08:00-12:00, 13:00-24:00"
      wed: "10:00-11:00"
`)
	cases := []struct {
		now  string
		open bool
	}{
		{"2026-03-06T08:00:00Z", true},  // fri, first range starts
		{"2026-03-06T12:00:00Z", false}, // fri lunch break
		{"2026-03-06T12:59:59Z", false},
		{"2026-03-06T13:00:00Z", true},
		{"2026-03-07T23:59:59Z", true},  // sat, up to midnight
		{"2026-03-08T07:59:00Z", false}, // sun, before opening
		{"2026-03-09T09:00:00Z", true},  // mon, end of the wrapped range
		{"2026-03-10T09:00:00Z", false}, // tue: not listed
		{"2026-03-11T10:30:00Z", true},  // wed
	}
	for _, tc := range cases {
		if got := c.IsOpen(ivrtest.UTC(tc.now)); got != tc.open {
			t.Errorf("IsOpen(%s) = %v, want %v", tc.now, got, tc.open)
		}
	}
}

func TestCalendarHolidayUsesLocalDate(t *testing.T) {
	// 23:30 on 24 Dec in New York is already 25 Dec in UTC: the holiday must
	// be judged by the calendar's own date.
	c := parseOneCalendar(t, `
calendars:
  c:
    timezone: America/New_York
    hours: {mon-sun: "00:00-24:00"}
    holidays: ["2026-12-25"]
`)
	if !c.IsOpen(ivrtest.UTC("2026-12-25T04:30:00Z")) {
		t.Error("24 Dec 23:30 local should be open")
	}
	if c.IsOpen(ivrtest.UTC("2026-12-25T05:30:00Z")) {
		t.Error("25 Dec 00:30 local is a holiday")
	}
	if !c.IsOpen(ivrtest.UTC("2026-12-26T05:00:00Z")) {
		t.Error("26 Dec 00:00 local should be open")
	}
}

func TestCalendarFollowsDaylightSaving(t *testing.T) {
	c := parseOneCalendar(t, `
calendars:
  c:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-17:00"}
`)
	// Berlin is UTC+1 in winter and UTC+2 in summer.
	if !c.IsOpen(ivrtest.UTC("2026-03-02T08:00:00Z")) || c.IsOpen(ivrtest.UTC("2026-03-02T07:59:00Z")) {
		t.Error("winter: opening is 08:00 UTC")
	}
	if !c.IsOpen(ivrtest.UTC("2026-07-01T07:00:00Z")) || c.IsOpen(ivrtest.UTC("2026-07-01T06:59:00Z")) {
		t.Error("summer: opening is 07:00 UTC")
	}
}
