package config

import "github.com/hotline-oss/hotline/config/careconf"

// A queue's survey, sticky agent and recording and the repeat complainers'
// routing, their defaults and their checks live in package careconf; these
// names keep them where the rest of the server reads the configuration.
type (
	Survey           = careconf.Survey
	StickyAgent      = careconf.StickyAgent
	Recording        = careconf.Recording
	RepeatComplaints = careconf.RepeatComplaints
)

// Care defaults (see careconf).
const (
	DefaultSurveyPrompt  = careconf.DefaultSurveyPrompt
	DefaultSurveyTimeout = careconf.DefaultSurveyTimeout
	DefaultStickyGrace   = careconf.DefaultStickyGrace
)

// validateCare places every queue's care reasons under the queue, and
// checks that repeat complainers have a senior queue to go to.
func (c *Config) validateCare() []error {
	var errs []error
	for name, q := range c.Queues {
		for _, r := range careconf.CheckQueue(q.Survey, q.StickyAgent, q.Recording) {
			errs = append(errs, c.Errorf("queues", "queues.%s.%s", name, r))
		}
	}
	if r := c.RepeatComplaints; r != nil {
		for _, reason := range r.Check() {
			errs = append(errs, c.Errorf("repeat_complaints", "repeat_complaints.%s", reason))
		}
		if _, ok := c.Queues[r.Queue]; !ok {
			errs = append(errs, c.Errorf("repeat_complaints", "repeat_complaints.queue: unknown queue %q", r.Queue))
		}
	}
	return errs
}
