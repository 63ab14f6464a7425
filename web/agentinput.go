package web

import (
	"fmt"
	"slices"
	"strings"
)

// The pause reasons and disposition categories an agent may pick unless
// the server is told otherwise; the REST API and the panel check the same
// lists so that neither accepts what the other refuses.
var (
	defaultPauseReasons = []string{"break", "lunch", "training", "meeting", "after_call_paperwork"}
	defaultCategories   = []string{"consult", "repair", "billing", "complaint", "suggestion"}
)

// checkPauseReason refuses a reason outside the configured list.
func checkPauseReason(reasons []string, reason string) error {
	if !slices.Contains(reasons, reason) {
		return fmt.Errorf("%w: pause reason %q: want one of %s", ErrInvalid, reason, strings.Join(reasons, ", "))
	}
	return nil
}

// checkDisposition refuses an unknown category or a missing resolved flag:
// a call classified with a guessed "resolved" would skew first-contact
// resolution.
func checkDisposition(categories []string, category string, resolved *bool) error {
	if !slices.Contains(categories, category) {
		return fmt.Errorf("%w: category %q: want one of %s", ErrInvalid, category, strings.Join(categories, ", "))
	}
	if resolved == nil {
		return fmt.Errorf("%w: resolved (true or false) is required", ErrInvalid)
	}
	return nil
}

// inputMessage is err's text without the ErrInvalid prefix, for a 400 body
// that starts with the field at fault.
func inputMessage(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}
