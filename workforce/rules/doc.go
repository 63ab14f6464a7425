// Package rules is the arithmetic of the workforce feature: a shift's
// plan of activities and breaks and its checks, the all-or-nothing CSV
// import's parsing, agents' state history cut into segments, adherence
// (time in the planned activity's state ÷ time scheduled, docs/kpis.md)
// and attendance (late, early, missed).
//
// What it must not do: read a clock (every function is given its times),
// touch the store or the ACD, or keep state between calls.
package rules
