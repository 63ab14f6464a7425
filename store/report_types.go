package store

import (
	"io"

	"github.com/hotline-oss/hotline/store/report"
)

// The reports' types and their arithmetic live in package report; store
// reads the rows they are made from. These names keep the reports where
// the rest of the server has always asked for them.
type (
	Interval        = report.Interval
	Figure          = report.Figure
	QueueThresholds = report.QueueThresholds
	IntervalParams  = report.IntervalParams
	IntervalRow     = report.IntervalRow
	AgentParams     = report.AgentParams
	AgentRow        = report.AgentRow
	RepeatParams    = report.RepeatParams
	RepeatReport    = report.RepeatReport
	RepeatCount     = report.RepeatCount
	RepeatCaller    = report.RepeatCaller
	CallTotals      = report.CallTotals
)

// Report intervals, agent states and the complaint category (see report).
const (
	Interval30m   = report.Interval30m
	IntervalDay   = report.IntervalDay
	IntervalWeek  = report.IntervalWeek
	IntervalMonth = report.IntervalMonth

	StateAvailable = report.StateAvailable
	StatePaused    = report.StatePaused
	StateLoggedOut = report.StateLoggedOut

	ComplaintCategory = report.ComplaintCategory
)

// ParseInterval reads an interval name (see report.ParseInterval).
func ParseInterval(s string) (Interval, error) { return report.ParseInterval(s) }

// Ratio is num ÷ den, undefined when den is 0.
func Ratio(num, den float64) Figure { return report.Ratio(num, den) }

// WriteCSV writes rows as CSV (see report.WriteCSV).
func WriteCSV[T any](w io.Writer, rows []T) error { return report.WriteCSV(w, rows) }
