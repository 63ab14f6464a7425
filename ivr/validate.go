package ivr

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Validator describes the rest of the configuration that flows refer to.
type Validator struct {
	Languages []string                     // configured languages; empty = no language checks
	HasPrompt func(lang, name string) bool // nil = every prompt exists
	HasQueue  func(name string) bool       // nil = any queue accepted

	HasService func(name string) bool // nil = any lookup service accepted
}

// Validate checks every reference a flow makes — nodes, prompts in every
// language, calendars, queues, languages — and that every node can be reached
// from start. All problems are returned as *PosError values joined in file order.
func Validate(flows map[string]*Flow, calendars map[string]*Calendar, v Validator) error {
	var errs []*PosError
	for _, name := range slices.Sorted(maps.Keys(flows)) {
		errs = append(errs, v.flow(flows[name], calendars)...)
	}
	return joinInFileOrder(errs)
}

func (v Validator) flow(fl *Flow, calendars map[string]*Calendar) []*PosError {
	where := "flow " + fl.Name
	errs := v.uses(fl, fl.uses, where, calendars)
	for _, name := range slices.Sorted(maps.Keys(fl.Nodes)) {
		n := fl.Nodes[name]
		errs = append(errs, v.uses(fl, n.uses, where+": node "+name, calendars)...)
	}
	if _, ok := fl.Nodes[fl.Start]; ok {
		errs = append(errs, unreachable(fl)...)
	}
	return errs
}

func (v Validator) uses(fl *Flow, uses []use, where string, calendars map[string]*Calendar) []*PosError {
	var errs []*PosError
	fail := func(u use, format string, args ...any) {
		errs = append(errs, u.pos.errorf(where, format, args...))
	}
	for _, u := range uses {
		switch u.kind {
		case useNode:
			if _, ok := fl.Nodes[u.name]; !ok {
				fail(u, "%s: unknown node %q", u.what, u.name)
			}
		case useCalendar:
			if _, ok := calendars[u.name]; !ok {
				fail(u, "%s: unknown calendar %q", u.what, u.name)
			}
		case useQueue:
			if v.HasQueue != nil && !v.HasQueue(u.name) {
				fail(u, "%s: unknown queue %q", u.what, u.name)
			}
		case useLanguage:
			if !v.knowsLanguage(u.name) {
				fail(u, "%s: unknown language %q (configured: %s)", u.what, u.name, strings.Join(v.Languages, ", "))
			}
		case usePrompt:
			if msg := v.promptProblem(u.prompt); msg != "" {
				fail(u, "%s: %s", u.what, msg)
			}
		case useService:
			if v.HasService != nil && !v.HasService(u.name) {
				fail(u, "%s: unknown service %q (see services:)", u.what, u.name)
			}
		case useReadBack:
			if msg := v.readBackProblem(); msg != "" {
				fail(u, "%s: %s", u.what, msg)
			}
		}
	}
	return errs
}

func (v Validator) knowsLanguage(lang string) bool {
	return len(v.Languages) == 0 || slices.Contains(v.Languages, lang)
}

// promptProblem describes what is wrong with a prompt reference, or "". A
// bare name must exist in every configured language, because the caller may
// switch to any of them before reaching it.
func (v Validator) promptProblem(p PromptRef) string {
	if p.Lang != "" {
		if !v.knowsLanguage(p.Lang) {
			return fmt.Sprintf("prompt %q: unknown language %q", p, p.Lang)
		}
		if v.HasPrompt != nil && !v.HasPrompt(p.Lang, p.Name) {
			return fmt.Sprintf("prompt %q has no recording", p)
		}
		return ""
	}
	if missing := v.missingLanguages(p.Name); len(missing) > 0 {
		return fmt.Sprintf("prompt %q has no recording for language %s", p.Name, strings.Join(missing, ", "))
	}
	return ""
}

func (v Validator) missingLanguages(name string) []string {
	if v.HasPrompt == nil {
		return nil
	}
	var missing []string
	for _, lang := range v.Languages {
		if !v.HasPrompt(lang, name) {
			missing = append(missing, lang)
		}
	}
	return missing
}

// readBackProblem checks the prompts a confirming collect composes at run
// time: the frame around the number and one prompt per digit.
func (v Validator) readBackProblem() string {
	var bad []string
	for _, name := range readBackPromptNames() {
		if missing := v.missingLanguages(name); len(missing) > 0 {
			bad = append(bad, fmt.Sprintf("%s (%s)", name, strings.Join(missing, ", ")))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return "read-back needs prompts with no recording: " + strings.Join(bad, "; ")
}

func readBackPromptNames() []string {
	names := []string{PromptYouEntered, PromptConfirmReenter}
	for d := '0'; d <= '9'; d++ {
		names = append(names, DigitPromptName(d))
	}
	return names
}

// unreachable reports nodes no path from start leads to: they are almost
// always a typo in some next: or options: value.
func unreachable(fl *Flow) []*PosError {
	seen := map[string]bool{fl.Start: true}
	queue := []string{fl.Start}
	for len(queue) > 0 {
		n := fl.Nodes[queue[0]]
		queue = queue[1:]
		for _, u := range n.uses {
			if u.kind != useNode || seen[u.name] || fl.Nodes[u.name] == nil {
				continue
			}
			seen[u.name] = true
			queue = append(queue, u.name)
		}
	}
	var errs []*PosError
	for name, n := range fl.Nodes {
		if !seen[name] {
			errs = append(errs, n.pos.errorf("flow "+fl.Name+": node "+name, "unreachable from start node %q", fl.Start))
		}
	}
	return errs
}
