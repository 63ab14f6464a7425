package rules

import (
	"time"

	"github.com/hotline-oss/hotline/store"
)

// Attendance status of one shift.
const (
	StatusUpcoming   = "upcoming"    // not started yet
	StatusInProgress = "in_progress" // started, not over, the agent has logged in
	StatusAbsent     = "absent"      // started, not over, no log-in yet
	StatusWorked     = "worked"      // over, the agent logged in during it
	StatusMissed     = "missed"      // over, no log-in during it
)

// ShiftAttendance is how an agent attended one shift.
type ShiftAttendance struct {
	Shift  store.Shift `json:"shift"`
	Status string      `json:"status"`
	// FirstLogin: the first moment of the shift the agent was logged in;
	// LastLogout: the last (only once the shift is over).
	FirstLogin time.Time `json:"first_login,omitzero"`
	LastLogout time.Time `json:"last_logout,omitzero"`
	// Late: the first log-in came more than LateLoginAfter after the start.
	Late       bool    `json:"late"`
	LateBySecs float64 `json:"late_by_seconds"`
	// EarlyLogout: logged out for good more than EarlyLogoutBefore before
	// the end.
	EarlyLogout bool    `json:"early_logout"`
	EarlyBySecs float64 `json:"early_by_seconds"`
	// LoggedInSecs: time logged in during the shift.
	LoggedInSecs float64 `json:"logged_in_seconds"`
}

// Attend says how the agent attended sh by now, from the agent's history
// over the shift (Segments over at least [sh.Start, min(sh.End, now))).
func (r Rules) Attend(sh store.Shift, history []Segment, now time.Time) ShiftAttendance {
	a := ShiftAttendance{Shift: sh}
	if now.Before(sh.Start) {
		a.Status = StatusUpcoming
		return a
	}
	until := Earlier(sh.End, now)
	var loggedIn time.Duration
	for _, s := range history {
		ss, se := Later(s.Start, sh.Start), Earlier(s.End, until)
		if !se.After(ss) || s.State == StateLoggedOut {
			continue
		}
		loggedIn += se.Sub(ss)
		if a.FirstLogin.IsZero() {
			a.FirstLogin = ss
		}
		a.LastLogout = se
	}
	a.LoggedInSecs = loggedIn.Seconds()
	over := !now.Before(sh.End)
	switch {
	case a.FirstLogin.IsZero() && over:
		a.Status = StatusMissed
	case a.FirstLogin.IsZero():
		a.Status = StatusAbsent
	case over:
		a.Status = StatusWorked
	default:
		a.Status = StatusInProgress
	}
	if !a.FirstLogin.IsZero() {
		late := a.FirstLogin.Sub(sh.Start)
		if late > r.LateLoginAfter {
			a.Late, a.LateBySecs = true, late.Seconds()
		}
	}
	if !over {
		a.LastLogout = time.Time{}
		return a
	}
	if !a.LastLogout.IsZero() {
		early := sh.End.Sub(a.LastLogout)
		if early > r.EarlyLogoutBefore {
			a.EarlyLogout, a.EarlyBySecs = true, early.Seconds()
		}
	}
	return a
}

// AttendanceTally sums attendance over many shifts.
type AttendanceTally struct {
	Scheduled    int `json:"shifts_scheduled" csv:"shifts_scheduled"`
	Worked       int `json:"shifts_worked" csv:"shifts_worked"`
	Missed       int `json:"shifts_missed" csv:"shifts_missed"`
	LateLogins   int `json:"late_logins" csv:"late_logins"`
	EarlyLogouts int `json:"early_logouts" csv:"early_logouts"`
}

// Add counts one shift that has started.
func (t *AttendanceTally) Add(a ShiftAttendance) {
	if a.Status == StatusUpcoming {
		return
	}
	t.Scheduled++
	switch a.Status {
	case StatusWorked, StatusInProgress:
		t.Worked++
	case StatusMissed:
		t.Missed++
	}
	if a.Late {
		t.LateLogins++
	}
	if a.EarlyLogout {
		t.EarlyLogouts++
	}
}
