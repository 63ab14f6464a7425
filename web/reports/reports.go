package reports

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// Table is a report ready to go out as JSON or CSV.
type Table struct {
	JSON any
	CSV  func(w io.Writer) error
}

// ReportQuery is what a report request asks for.
type ReportQuery struct {
	From, To time.Time
	Interval string // 30m, day, week, month
	Location *time.Location
}

// Reports produces the reports from the store.
type Reports interface {
	Interval(ctx context.Context, q ReportQuery) (Table, error)
	Agents(ctx context.Context, q ReportQuery) (Table, error)
	RepeatCallers(ctx context.Context, q ReportQuery) (Table, error)
}

// Routes adds /api/v1/reports/{interval,agents,repeat-callers}
// (admin role: reports are configuration-level data in the role split of
// issue #8). Query: from, to (dates or RFC 3339; default today),
// interval, tz, format=json|csv.
func Routes(mux webkit.Registrar, now func() time.Time, r Reports, tokens []webkit.Token, defaultLoc *time.Location) {
	a := &webkit.Guard{Tokens: tokens}
	mux.HandleFunc("GET /api/v1/reports/interval", tableRoute(a, now, defaultLoc, r.Interval))
	mux.HandleFunc("GET /api/v1/reports/agents", tableRoute(a, now, defaultLoc, r.Agents))
	mux.HandleFunc("GET /api/v1/reports/repeat-callers", tableRoute(a, now, defaultLoc, r.RepeatCallers))
}

// tableRoute answers, to the admin role, the table produce makes of the
// request's query, as JSON or (format=csv) CSV. A query or a format it
// cannot read is a 400; produce's errors are answered as a query's.
func tableRoute(a *webkit.Guard, now func() time.Time, defaultLoc *time.Location,
	produce func(context.Context, ReportQuery) (Table, error)) http.HandlerFunc {
	return a.Auth(webkit.RoleAdmin, func(w http.ResponseWriter, req *http.Request, _ webkit.Token) {
		q, err := ParseQuery(req, defaultLoc, now())
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		format, err := reportFormat(req)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, err.Error())
			return
		}
		t, err := produce(req.Context(), q)
		if err != nil {
			webkit.WriteQueryError(w, err)
			return
		}
		writeTable(w, format, t)
	})
}

func writeTable(w http.ResponseWriter, format string, t Table) {
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_ = t.CSV(w)
		return
	}
	webkit.WriteJSON(w, http.StatusOK, t.JSON)
}

// ParseQuery reads a report's window and grouping: from and to (dates,
// months or RFC 3339 in tz, defaultLoc when none; today by default),
// interval (30m, day, week, month) and tz. Recordings and shifts read
// their windows the same way.
func ParseQuery(req *http.Request, defaultLoc *time.Location, now time.Time) (ReportQuery, error) {
	v := req.URL.Query()
	q := ReportQuery{Interval: v.Get("interval"), Location: defaultLoc}
	if tz := v.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return q, fmt.Errorf("tz: unknown time zone %q (want an IANA name such as Asia/Shanghai or UTC)", tz)
		}
		q.Location = loc
	}
	switch q.Interval {
	case "":
		q.Interval = "day"
	case "30m", "day", "week", "month":
	default:
		return q, fmt.Errorf("interval: %q is not supported (want 30m, day, week or month)", q.Interval)
	}
	now = now.In(q.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, q.Location)
	var err error
	if q.From, err = ParseWhen(v.Get("from"), today, q.Location); err != nil {
		return q, whenError("from", v.Get("from"))
	}
	if q.To, err = ParseWhen(v.Get("to"), q.From.AddDate(0, 0, 1), q.Location); err != nil {
		return q, whenError("to", v.Get("to"))
	}
	if !q.To.After(q.From) {
		return q, ErrBadRange
	}
	return q, nil
}

type reportError string

func (e reportError) Error() string { return string(e) }

// ErrBadRange refuses a window that ends before it starts.
const ErrBadRange = reportError("to: must be after from")

// whenError names the parameter and the forms it takes, rather than Go's
// layout-parsing message.
func whenError(param, value string) error {
	return fmt.Errorf("%s: want YYYY-MM-DD, YYYY-MM or RFC 3339, got %q", param, value)
}

// reportFormat reads format=json|csv. Any other format is refused rather
// than answered in JSON, so that a client asking for XML is told at once.
func reportFormat(req *http.Request) (string, error) {
	switch f := req.URL.Query().Get("format"); f {
	case "", "json":
		return "json", nil
	case "csv":
		return "csv", nil
	default:
		return "", fmt.Errorf("format: %q is not supported (want json or csv)", f)
	}
}

// ParseWhen reads a date, a month (its first day) or an RFC 3339 time;
// def when s is empty.
func ParseWhen(s string, def time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01", s, loc); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
