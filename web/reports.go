package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
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

// WithReports adds /api/v1/reports/{interval,agents,repeat-callers}
// (admin role: reports are configuration-level data in the role split of
// issue #8). Query: from, to (dates or RFC 3339; default today),
// interval, tz, format=json|csv.
func (s *Server) WithReports(r Reports, tokens []Token, defaultLoc *time.Location) {
	a := &api{tokens: tokens}
	serve := func(produce func(context.Context, ReportQuery) (Table, error)) http.HandlerFunc {
		return a.auth(RoleAdmin, func(w http.ResponseWriter, req *http.Request, _ Token) {
			q, err := parseReportQuery(req, defaultLoc, s.now())
			if err != nil {
				writeError(w, http.StatusBadRequest, err.Error())
				return
			}
			format, err := reportFormat(req)
			if err != nil {
				writeError(w, http.StatusBadRequest, err.Error())
				return
			}
			t, err := produce(req.Context(), q)
			if err != nil {
				writeQueryError(w, err)
				return
			}
			if format == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				_ = t.CSV(w)
				return
			}
			writeJSON(w, http.StatusOK, t.JSON)
		})
	}
	s.mux.HandleFunc("GET /api/v1/reports/interval", serve(r.Interval))
	s.mux.HandleFunc("GET /api/v1/reports/agents", serve(r.Agents))
	s.mux.HandleFunc("GET /api/v1/reports/repeat-callers", serve(r.RepeatCallers))
}

func parseReportQuery(req *http.Request, defaultLoc *time.Location, now time.Time) (ReportQuery, error) {
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
	if q.From, err = parseWhen(v.Get("from"), today, q.Location); err != nil {
		return q, whenError("from", v.Get("from"))
	}
	if q.To, err = parseWhen(v.Get("to"), q.From.AddDate(0, 0, 1), q.Location); err != nil {
		return q, whenError("to", v.Get("to"))
	}
	if !q.To.After(q.From) {
		return q, errBadRange
	}
	return q, nil
}

type reportError string

func (e reportError) Error() string { return string(e) }

const errBadRange = reportError("to: must be after from")

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

func parseWhen(s string, def time.Time, loc *time.Location) (time.Time, error) {
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

// writeQueryError answers a read that failed: 503 when the records cannot
// be reached right now (ErrUnavailable; try again later), 400 otherwise,
// since what is left is a query the records refuse (a period too long, a
// bad filter).
func writeQueryError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnavailable) {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}
