package webkit

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultPauseReasons are the pause reasons an agent may pick unless the
// server is told otherwise; the REST API, the panel and the console check
// the same list so that none accepts what another refuses. Each call
// returns a fresh copy.
func DefaultPauseReasons() []string {
	return []string{"break", "lunch", "training", "meeting", "after_call_paperwork"}
}

// DefaultCategories are the disposition categories unless the server is
// told otherwise; each call returns a fresh copy.
func DefaultCategories() []string {
	return []string{"consult", "repair", "billing", "complaint", "suggestion"}
}

// CheckPauseReason refuses a reason outside the configured list.
func CheckPauseReason(reasons []string, reason string) error {
	if !slices.Contains(reasons, reason) {
		return fmt.Errorf("%w: pause reason %q: want one of %s", ErrInvalid, reason, strings.Join(reasons, ", "))
	}
	return nil
}

// CheckDisposition refuses an unknown category or a missing resolved flag:
// a call classified with a guessed "resolved" would skew first-contact
// resolution.
func CheckDisposition(categories []string, category string, resolved *bool) error {
	if !slices.Contains(categories, category) {
		return fmt.Errorf("%w: category %q: want one of %s", ErrInvalid, category, strings.Join(categories, ", "))
	}
	if resolved == nil {
		return fmt.Errorf("%w: resolved (true or false) is required", ErrInvalid)
	}
	return nil
}
