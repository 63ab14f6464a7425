package workforceconf

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
)

// Workforce configures schedules, adherence and attendance (package
// workforce). Shifts themselves are data, kept in the database and
// managed through the API; this section holds the rules.
type Workforce struct {
	// AdherenceTarget is what reports and the wallboard colour against
	// (default 0.92).
	AdherenceTarget float64 `yaml:"adherence_target"`
	// LateLoginAfter: a first log-in later than this after the shift's
	// start is a late log-in (default 5m).
	LateLoginAfter time.Duration `yaml:"late_login_after"`
	// EarlyLogoutBefore: a last log-out earlier than this before the
	// shift's end is an early log-out (default 5m).
	EarlyLogoutBefore time.Duration `yaml:"early_logout_before"`
	// AlertAfter: an agent out of adherence this long, without a break,
	// raises an alert (event and webhook). 0 turns alerts off (default 10m).
	AlertAfter *time.Duration `yaml:"alert_after"`
	// Activities maps a planned activity other than "phones" to the pause
	// reasons that count as doing it (break: [break, lunch]). Every pause
	// reason of the agent panel is also an activity matched by itself.
	Activities map[string][]string `yaml:"activities"`
}

// Workforce defaults.
const (
	DefaultAdherenceTarget   = 0.92
	DefaultLateLoginAfter    = 5 * time.Minute
	DefaultEarlyLogoutBefore = 5 * time.Minute
	DefaultAdherenceAlert    = 10 * time.Minute
)

// WithDefaults is the section with its defaults filled in. reasons are
// the agent panel's pause reasons: each is also an activity matched by
// itself.
func (w Workforce) WithDefaults(reasons []string) Workforce {
	if w.AdherenceTarget == 0 {
		w.AdherenceTarget = DefaultAdherenceTarget
	}
	if w.LateLoginAfter == 0 {
		w.LateLoginAfter = DefaultLateLoginAfter
	}
	if w.EarlyLogoutBefore == 0 {
		w.EarlyLogoutBefore = DefaultEarlyLogoutBefore
	}
	if w.AlertAfter == nil {
		d := DefaultAdherenceAlert
		w.AlertAfter = &d
	}
	acts := make(map[string][]string, len(w.Activities)+len(reasons))
	for _, r := range reasons {
		acts[r] = []string{r}
	}
	for a, reasons := range w.Activities {
		acts[a] = slices.Clone(reasons)
	}
	w.Activities = acts
	return w
}

// code is what an activity must look like: the shape of a pause reason.
var code = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Check returns what is wrong with the section, each reason starting with
// its key below workforce. reasons are the agent panel's pause reasons,
// which activities map to.
func (w Workforce) Check(reasons []string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if w.AdherenceTarget < 0 || w.AdherenceTarget > 1 {
		bad("adherence_target %v: want a ratio between 0 and 1", w.AdherenceTarget)
	}
	for key, d := range map[string]time.Duration{"late_login_after": w.LateLoginAfter, "early_logout_before": w.EarlyLogoutBefore} {
		if d < 0 || d > 4*time.Hour {
			bad("%s %v: want between 0s and 4h", key, d)
		}
	}
	if w.AlertAfter != nil && (*w.AlertAfter < 0 || (*w.AlertAfter > 0 && *w.AlertAfter < 30*time.Second)) {
		bad("alert_after %v: want 0 (off) or at least 30s", *w.AlertAfter)
	}
	for _, act := range slices.Sorted(maps.Keys(w.Activities)) {
		switch {
		case act == "phones":
			bad("activities: %q is built in (ready or on a call) and cannot be mapped", act)
		case !code.MatchString(act):
			bad("activities: %q: want a lower-case code of letters, digits and _ (at most 32)", act)
		case len(w.Activities[act]) == 0:
			bad("activities.%s: at least one pause reason", act)
		}
		for _, r := range w.Activities[act] {
			if !slices.Contains(reasons, r) {
				bad("activities.%s: %q is not one of agent_panel.pause_reasons (%v)", act, r, reasons)
			}
		}
	}
	return out
}
