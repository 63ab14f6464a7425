// Package reports serves the reports and schedules routes: the call
// reports (interval, agents, repeat callers), the workforce reports
// (adherence, attendance, the monthly service report, also as HTML), and
// the shifts with live adherence. It also reads the window of a query the
// same way for every route that takes one (ParseQuery).
//
// It formats what the store and the workforce package produce; it must
// not compute figures itself, read the clock (it is given one), or import
// web, its pages' packages, store or app.
package reports
