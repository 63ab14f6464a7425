package reports

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hotline-oss/hotline/web/webkit"
)

// Document is a report that also prints: JSON, CSV and an HTML page.
type Document struct {
	Table
	HTML func(w io.Writer) error
}

// WorkforceReports produces the schedule reports.
type WorkforceReports interface {
	// Adherence per agent and team over q's intervals (30m, day, week,
	// month).
	Adherence(ctx context.Context, q ReportQuery) (Table, error)
	// Attendance per agent over [q.From, q.To).
	Attendance(ctx context.Context, q ReportQuery) (Table, error)
	// Monthly is the month's service report, month being its first day.
	Monthly(ctx context.Context, month time.Time) (Document, error)
}

// WorkforceRoutes adds /api/v1/reports/{adherence,attendance,monthly}
// (admin role, like the other reports).
func WorkforceRoutes(mux webkit.Registrar, now func() time.Time, r WorkforceReports, tokens []webkit.Token, defaultLoc *time.Location) {
	a := &webkit.Guard{Tokens: tokens}
	mux.HandleFunc("GET /api/v1/reports/adherence", tableRoute(a, now, defaultLoc, r.Adherence))
	mux.HandleFunc("GET /api/v1/reports/attendance", tableRoute(a, now, defaultLoc, r.Attendance))
	mux.HandleFunc("GET /api/v1/reports/monthly", a.Auth(webkit.RoleAdmin, func(w http.ResponseWriter, req *http.Request, _ webkit.Token) {
		serveMonthly(w, req, r, defaultLoc, now())
	}))
}

func serveMonthly(w http.ResponseWriter, req *http.Request, r WorkforceReports, loc *time.Location, now time.Time) {
	now = now.In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if v := req.URL.Query().Get("month"); v != "" {
		m, err := time.ParseInLocation("2006-01", v, loc)
		if err != nil {
			webkit.WriteError(w, http.StatusBadRequest, fmt.Sprintf("month: want YYYY-MM, got %q", v))
			return
		}
		month = m
	}
	format := req.URL.Query().Get("format")
	switch format {
	case "", "json", "csv", "html":
	default:
		webkit.WriteError(w, http.StatusBadRequest, fmt.Sprintf("format: %q is not supported (want json, csv or html)", format))
		return
	}
	doc, err := r.Monthly(req.Context(), month)
	if err != nil {
		webkit.WriteQueryError(w, err)
		return
	}
	if format == "html" {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		_ = doc.HTML(w)
		return
	}
	writeTable(w, format, doc.Table)
}
