package ticketconf

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tickets configures complaint and work-order tickets (package tickets):
// their answer deadlines, routing a returning caller to the ticket's
// owner, the return-visit calls and the work-order system's status
// updates. Every key is optional.
type Tickets struct {
	// Deadlines per category: how long the customer may wait for an
	// answer, urgent and normal. A category left out takes Default.
	Deadlines map[string]TicketDeadline `yaml:"deadlines"`
	Default   TicketDeadline            `yaml:"default_deadline"` // 2h urgent, 24h normal
	// Categories a ticket may have (complaint, suggestion, fault,
	// consultation by default).
	Categories []string `yaml:"categories"`
	// RouteToOwner queues a returning caller with an open ticket for the
	// ticket's owner first, for OwnerGrace (default true, 20s).
	RouteToOwner *bool         `yaml:"route_to_owner"`
	OwnerGrace   time.Duration `yaml:"owner_grace"`
	// SyncSecret checks the signature of the work-order system's status
	// updates (POST /api/v1/tickets/sync); empty: the endpoint is off.
	SyncSecret    string      `yaml:"sync_secret"`
	SyncSecretEnv string      `yaml:"sync_secret_env"` // read the secret from this environment variable
	ReturnVisit   ReturnVisit `yaml:"return_visit"`
}

// TicketDeadline is one category's answer deadlines.
type TicketDeadline struct {
	Urgent time.Duration `yaml:"urgent"`
	Normal time.Duration `yaml:"normal"`
}

// ReturnVisit is the call made to the customer after a ticket closes:
// a short survey (satisfied 1–5, resolved yes/no) in their language,
// dialled through callback_gateway within its allow-list and caps.
type ReturnVisit struct {
	Enabled bool `yaml:"enabled"`
	// Delay after closing, per category (complaint 72h, others 168h by
	// default: the 3-day and 7-day visits).
	Delays map[string]time.Duration `yaml:"delays"`
	// CallingHours are when the customer may be called, "HH:MM-HH:MM" in
	// the report time zone (default 09:00-20:00, every day).
	CallingHours string        `yaml:"calling_hours"`
	MaxAttempts  int           `yaml:"max_attempts"`  // dial attempts before giving up (3)
	RetryAfter   time.Duration `yaml:"retry_after"`   // between attempts (2h)
	RingTimeout  time.Duration `yaml:"ring_timeout"`  // how long the phone rings (30s)
	GiveUpAfter  time.Duration `yaml:"give_up_after"` // from the first due time (72h)
	// DoNotCall lists numbers (regular expressions matching the whole
	// number) that asked not to be called: never dialled.
	DoNotCall []string `yaml:"do_not_call"`
}

// SyncSecretValue is the work-order system's signing secret, from the file
// or the environment; empty: status updates are off.
func (t Tickets) SyncSecretValue() string {
	if t.SyncSecretEnv != "" {
		return os.Getenv(t.SyncSecretEnv)
	}
	return t.SyncSecret
}

// Ticket defaults.
const (
	DefaultTicketUrgent       = 2 * time.Hour
	DefaultTicketNormal       = 24 * time.Hour
	DefaultTicketOwnerGrace   = 20 * time.Second
	DefaultVisitComplaint     = 72 * time.Hour
	DefaultVisitOther         = 168 * time.Hour
	DefaultVisitCallingHours  = "09:00-20:00"
	DefaultVisitMaxAttempts   = 3
	DefaultVisitRetryAfter    = 2 * time.Hour
	DefaultVisitRingTimeout   = 30 * time.Second
	DefaultVisitGiveUpAfter   = 72 * time.Hour
	defaultTicketCategoryList = "complaint,suggestion,fault,consultation"
)

// TicketCategories are the categories a ticket may have, defaults applied.
func (t Tickets) TicketCategories() []string {
	if len(t.Categories) == 0 {
		return strings.Split(defaultTicketCategoryList, ",")
	}
	return slices.Clone(t.Categories)
}

// Deadline is how long a ticket of category and urgency may wait for its
// answer.
func (t Tickets) Deadline(category string, urgent bool) time.Duration {
	d := t.Deadlines[category]
	if urgent {
		return firstSet(d.Urgent, t.Default.Urgent, DefaultTicketUrgent)
	}
	return firstSet(d.Normal, t.Default.Normal, DefaultTicketNormal)
}

// firstSet is the first positive duration of ds.
func firstSet(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

// OwnerRouting reports whether returning callers go to their ticket's
// owner first, and for how long.
func (t Tickets) OwnerRouting() (bool, time.Duration) {
	on := t.RouteToOwner == nil || *t.RouteToOwner
	if t.OwnerGrace > 0 {
		return on, t.OwnerGrace
	}
	return on, DefaultTicketOwnerGrace
}

// WithDefaults fills the zero values.
func (r ReturnVisit) WithDefaults() ReturnVisit {
	if r.CallingHours == "" {
		r.CallingHours = DefaultVisitCallingHours
	}
	if r.MaxAttempts == 0 {
		r.MaxAttempts = DefaultVisitMaxAttempts
	}
	if r.RetryAfter == 0 {
		r.RetryAfter = DefaultVisitRetryAfter
	}
	if r.RingTimeout == 0 {
		r.RingTimeout = DefaultVisitRingTimeout
	}
	if r.GiveUpAfter == 0 {
		r.GiveUpAfter = DefaultVisitGiveUpAfter
	}
	return r
}

// Delay is how long after closing a ticket of category is visited.
func (r ReturnVisit) Delay(category string) time.Duration {
	if d, ok := r.Delays[category]; ok && d > 0 {
		return d
	}
	if category == "complaint" {
		return DefaultVisitComplaint
	}
	return DefaultVisitOther
}

var callingHours = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$`)

// Hours parses CallingHours into minutes after midnight, [from, to).
func (r ReturnVisit) Hours() (from, to int, err error) {
	m := callingHours.FindStringSubmatch(r.WithDefaults().CallingHours)
	if m == nil {
		return 0, 0, fmt.Errorf("calling_hours %q: want HH:MM-HH:MM", r.CallingHours)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n } // two digits, checked above
	from, to = atoi(m[1])*60+atoi(m[2]), atoi(m[3])*60+atoi(m[4])
	if to <= from || to > 24*60 {
		return 0, 0, fmt.Errorf("calling_hours %q: the end must come after the start, the same day", r.CallingHours)
	}
	return from, to, nil
}

// code is what a category must look like: a report key and label, the
// same shape as agent_panel.pause_reasons.
var code = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Check returns what is wrong with the section, each reason starting with
// its key below tickets (such as "owner_grace 10m: …"). That a return
// visit needs the callback gateway spans sections: package config checks
// it.
func (t Tickets) Check() []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	cats := t.TicketCategories()
	for i, cat := range cats {
		if !code.MatchString(cat) {
			bad("categories[%d] %q: want a lower-case code of letters, digits and _", i, cat)
		}
	}
	checkDeadline := func(name string, d TicketDeadline) {
		if d.Urgent < 0 || d.Normal < 0 || d.Urgent > 30*24*time.Hour || d.Normal > 30*24*time.Hour {
			bad("%s: deadlines must be between 0 and 720h", name)
		}
	}
	checkDeadline("default_deadline", t.Default)
	for cat, d := range t.Deadlines {
		if !slices.Contains(cats, cat) {
			bad("deadlines.%s: unknown category (want one of %s)", cat, strings.Join(cats, ", "))
		}
		checkDeadline("deadlines."+cat, d)
	}
	if t.OwnerGrace < 0 || t.OwnerGrace > 5*time.Minute {
		bad("owner_grace %s: want between 0 and 5m", t.OwnerGrace)
	}
	switch {
	case t.SyncSecret != "" && t.SyncSecretEnv != "":
		bad("sync_secret_env: give sync_secret or sync_secret_env, not both")
	case t.SyncSecretEnv != "" && os.Getenv(t.SyncSecretEnv) == "":
		bad("sync_secret_env: environment variable %s is empty", t.SyncSecretEnv)
	case t.SyncSecretValue() != "" && len(t.SyncSecretValue()) < 16:
		bad("sync_secret: at least 16 characters")
	}
	for _, r := range t.ReturnVisit.check(cats) {
		reasons = append(reasons, "return_visit."+r)
	}
	return reasons
}

// check returns the return visit's reasons, relative to return_visit.
func (r ReturnVisit) check(cats []string) []string {
	var reasons []string
	bad := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	d := r.WithDefaults()
	if _, _, err := r.Hours(); err != nil {
		bad("%v", err)
	}
	for cat, delay := range r.Delays {
		if !slices.Contains(cats, cat) {
			bad("delays.%s: unknown category", cat)
		}
		if delay < time.Minute || delay > 90*24*time.Hour {
			bad("delays.%s %s: want between 1m and 2160h", cat, delay)
		}
	}
	switch {
	case d.MaxAttempts < 1 || d.MaxAttempts > 10:
		bad("max_attempts %d: want 1 to 10", r.MaxAttempts)
	case d.RetryAfter < time.Second:
		bad("retry_after %s: want at least 1s", r.RetryAfter)
	case d.RingTimeout < 5*time.Second || d.RingTimeout > 2*time.Minute:
		bad("ring_timeout %s: want between 5s and 2m", r.RingTimeout)
	case d.GiveUpAfter < d.RetryAfter:
		bad("give_up_after %s: want at least retry_after", r.GiveUpAfter)
	}
	for i, p := range r.DoNotCall {
		if _, err := regexp.Compile("^(?:" + p + ")$"); err != nil {
			bad("do_not_call[%d] %q: %v", i, p, err)
		}
	}
	return reasons
}
