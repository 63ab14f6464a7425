// Package workforce owns agents' schedules and what is measured against
// them: shifts (planned activity and breaks), schedule adherence (live and
// in reports), attendance, out-of-adherence alerts and the monthly report.
//
// The rules are pure and take the time from their caller: Plan, Measure,
// Attend and the Tracker never read the clock. Service wires them to the
// event stream (it subscribes to agent state changes and keeps them in
// memory only), to the store (shifts are data, written straight to the
// database like outage notices; agent states come from the call records)
// and to the API. It imports no other feature and takes no other part's
// lock; it publishes its alerts on the bus from its own goroutine.
//
// The monthly report's monitoring score comes from the quality review
// through ScoreSource, which app plugs in with SetScores; without one the
// column stays empty.
package workforce
