package workforce

import "github.com/hotline-oss/hotline/workforce/rules"

// The rules' names, kept here for the packages that use workforce
// (package rules holds the plan, CSV, adherence and attendance
// arithmetic).
type (
	Rules           = rules.Rules
	Planned         = rules.Planned
	Segment         = rules.Segment
	Tally           = rules.Tally
	ShiftAttendance = rules.ShiftAttendance
	AttendanceTally = rules.AttendanceTally
	LineProblem     = rules.LineProblem
	ImportLine      = rules.ImportLine
)

// Planned activities, limits and attendance statuses.
const (
	Phones           = rules.Phones
	BreakActivity    = rules.BreakActivity
	MaxShift         = rules.MaxShift
	MaxImportLines   = rules.MaxImportLines
	StatusUpcoming   = rules.StatusUpcoming
	StatusInProgress = rules.StatusInProgress
	StatusAbsent     = rules.StatusAbsent
	StatusWorked     = rules.StatusWorked
	StatusMissed     = rules.StatusMissed
)

// The rules' functions.
var (
	Plan       = rules.Plan
	PlanOf     = rules.PlanOf
	ActivityAt = rules.ActivityAt
	Normalize  = rules.Normalize
	Overlap    = rules.Overlap
	Segments   = rules.Segments
)
