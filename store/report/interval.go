package report

import (
	"fmt"
	"time"
)

// Interval is the length of one report row.
type Interval string

const (
	Interval30m   Interval = "30m"
	IntervalDay   Interval = "day"
	IntervalWeek  Interval = "week" // Monday to Sunday
	IntervalMonth Interval = "month"
)

// ParseInterval accepts the names used by the HTTP API.
func ParseInterval(s string) (Interval, error) {
	switch iv := Interval(s); iv {
	case Interval30m, IntervalDay, IntervalWeek, IntervalMonth:
		return iv, nil
	case "":
		return IntervalDay, nil
	}
	return "", fmt.Errorf("store: unknown interval %q (want 30m, day, week or month)", s)
}

// Start is the beginning of the interval holding t, on the wall clock of
// loc: days, weeks and months begin at local midnight, whatever the offset
// or daylight saving.
func (iv Interval) Start(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	switch iv {
	case Interval30m:
		// Half hours are counted from local midnight's offset, so that
		// zones at :30 and :45 offsets get :00 and :30 boundaries.
		_, offset := l.Zone()
		local := l.Unix() + int64(offset)
		return time.Unix(l.Unix()-mod(local, 1800), 0).In(loc)
	case IntervalWeek:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
	case IntervalMonth:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	default:
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	}
}

// Next is the start of the interval after the one starting at start.
func (iv Interval) Next(start time.Time) time.Time {
	switch iv {
	case Interval30m:
		return start.Add(30 * time.Minute)
	case IntervalWeek:
		return time.Date(start.Year(), start.Month(), start.Day()+7, 0, 0, 0, 0, start.Location())
	case IntervalMonth:
		return time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, start.Location())
	default:
		return time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, start.Location())
	}
}

// Starts lists the interval starts covering [from, to).
func (iv Interval) Starts(from, to time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	for s := iv.Start(from, loc); s.Before(to); s = iv.Next(s) {
		out = append(out, s)
	}
	return out
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
