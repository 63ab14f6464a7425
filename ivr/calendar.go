package ivr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Calendar says when a service is open: weekly hours in one time zone, minus
// whole-day holidays.
type Calendar struct {
	Name     string
	Location *time.Location

	weekly   [7][]minuteRange // indexed by time.Weekday
	holidays map[civilDate]bool
}

// minuteRange is [from, to) in minutes after local midnight.
type minuteRange struct{ from, to int }

type civilDate struct {
	year  int
	month time.Month
	day   int
}

// IsOpen reports whether t falls inside opening hours, judged by the wall
// clock of the calendar's zone rather than the server's.
func (c *Calendar) IsOpen(t time.Time) bool {
	local := t.In(c.Location)
	y, m, d := local.Date()
	if c.holidays[civilDate{y, m, d}] {
		return false
	}
	minute := local.Hour()*60 + local.Minute()
	for _, r := range c.weekly[local.Weekday()] {
		if minute >= r.from && minute < r.to {
			return true
		}
	}
	return false
}

// ParseCalendars reads the value of the configuration's "calendars:" key.
// Errors are *PosError values joined in file order.
func ParseCalendars(file string, node *yaml.Node) (map[string]*Calendar, error) {
	r := &reader{file: file}
	cals := make(map[string]*Calendar)
	for _, f := range r.mapping(node, "calendars", "calendar") {
		cals[f.key.Value] = r.calendar(f.key, f.val)
	}
	if err := joinInFileOrder(r.errs); err != nil {
		return nil, err
	}
	return cals, nil
}

var calendarKeys = []string{"timezone", "hours", "holidays"}

func (r *reader) calendar(key, val *yaml.Node) *Calendar {
	where := "calendar " + key.Value
	c := &Calendar{Name: key.Value, Location: time.UTC, holidays: make(map[civilDate]bool)}
	sawZone := false
	for _, f := range r.checkKeys(r.mapping(val, where, "key"), where, calendarKeys) {
		switch f.key.Value {
		case "timezone":
			sawZone = true
			r.timezone(c, f.val, where)
		case "hours":
			r.weeklyHours(c, f.val, where)
		case "holidays":
			r.holidays(c, f.val, where)
		}
	}
	// An implicit zone would silently follow wherever the server runs.
	if !sawZone {
		r.failf(key, where, `missing key "timezone" (e.g. Asia/Shanghai or UTC)`)
	}
	return c
}

func (r *reader) timezone(c *Calendar, val *yaml.Node, where string) {
	name := r.str(val, where, "timezone")
	if name == "" {
		return
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		r.failf(resolveOr(val), where, "timezone: unknown time zone %q", name)
		return
	}
	c.Location = loc
}

func (r *reader) weeklyHours(c *Calendar, val *yaml.Node, where string) {
	where += ": hours"
	var firstSeen [7]*yaml.Node
	for _, f := range r.mapping(val, where, "key") {
		days, err := parseDays(f.key.Value)
		if err != nil {
			r.failf(f.key, where, "%v", err)
			continue
		}
		v, ok := r.scalar(f.val, where, f.key.Value)
		if !ok {
			continue
		}
		ranges, err := parseRanges(v.Value)
		if err != nil {
			r.failf(v, where, "%v", err)
			continue
		}
		for _, d := range days {
			if prev := firstSeen[d]; prev != nil {
				r.failf(f.key, where, "%s already given at line %d", dayNames[d], prev.Line)
				continue
			}
			firstSeen[d] = f.key
			c.weekly[d] = ranges
		}
	}
}

func (r *reader) holidays(c *Calendar, val *yaml.Node, where string) {
	for _, item := range r.strings(val, where, "holidays") {
		t, err := time.Parse(time.DateOnly, item.Value)
		if err != nil {
			r.failf(item, where, "holidays: bad date %q (want YYYY-MM-DD)", item.Value)
			continue
		}
		y, m, d := t.Date()
		c.holidays[civilDate{y, m, d}] = true
	}
}

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func dayIndex(s string) (time.Weekday, bool) {
	for i, n := range dayNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// parseDays reads "mon", "mon-fri", "sat-sun" or comma lists of those. A
// range runs forward through the week, so "fri-mon" covers the weekend.
func parseDays(spec string) ([]time.Weekday, error) {
	var out []time.Weekday
	for part := range strings.SplitSeq(spec, ",") {
		from, to, isRange := strings.Cut(part, "-")
		first, ok1 := dayIndex(from)
		last, ok2 := first, true
		if isRange {
			last, ok2 = dayIndex(to)
		}
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bad days %q (want e.g. mon, mon-fri, sat,sun)", spec)
		}
		for d := first; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	return out, nil
}

// parseRanges reads "08:00-18:00" or "08:00-12:00, 13:00-18:00". Ranges
// past midnight must be split across two days.
func parseRanges(spec string) ([]minuteRange, error) {
	var out []minuteRange
	for part := range strings.SplitSeq(spec, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		start, err1 := parseClock(from)
		end, err2 := parseClock(to)
		if !ok || err1 != nil || err2 != nil || start == 24*60 {
			return nil, fmt.Errorf("bad hours %q (want HH:MM-HH:MM, e.g. 08:00-18:00)", spec)
		}
		if end <= start {
			return nil, fmt.Errorf("bad hours %q: end must be after start (split ranges at midnight)", spec)
		}
		out = append(out, minuteRange{start, end})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}
