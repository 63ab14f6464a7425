package careconf

import (
	"time"
)

// Survey is the post-call survey of a queue: after the agent hangs up, the
// caller is asked to rate the service from 1 to 5.
type Survey struct {
	Enabled bool          `yaml:"enabled"`
	Prompt  string        `yaml:"prompt"`  // the question (default survey_rate)
	Timeout time.Duration `yaml:"timeout"` // how long to wait for a key (default 8s)
}

// Survey defaults.
const (
	DefaultSurveyPrompt  = "survey_rate"
	DefaultSurveyTimeout = 8 * time.Second
)

// StickyAgent offers a returning caller first to the agent who handled
// their last answered call within Days, waiting up to Grace for that agent.
type StickyAgent struct {
	Days  int           `yaml:"days"`
	Grace time.Duration `yaml:"grace"`
}

// DefaultStickyGrace is the wait for the preferred agent when grace is not set.
const DefaultStickyGrace = 20 * time.Second

// Recording records a queue's answered calls for quality review.
type Recording struct {
	Enabled       bool `yaml:"enabled"`
	Announce      bool `yaml:"announce"`       // play recording_notice at queue entry
	RetentionDays int  `yaml:"retention_days"` // 0: keep for ever
}

// RepeatComplaints sends callers who complained often this month to a
// senior queue with a higher priority.
type RepeatComplaints struct {
	Threshold int    `yaml:"threshold"` // complaint dispositions in the month
	Priority  int    `yaml:"priority"`  // added to the caller's priority
	Queue     string `yaml:"queue"`     // the senior queue
	Category  string `yaml:"category"`  // disposition category counted (default complaint)
}

// SurveyTimeout is the configured wait for a key, or the default.
func (s *Survey) SurveyTimeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultSurveyTimeout
}

// SurveyPrompt is the configured question prompt, or the default.
func (s *Survey) SurveyPrompt() string {
	if s.Prompt != "" {
		return s.Prompt
	}
	return DefaultSurveyPrompt
}

// GraceOrDefault is the configured grace, or the default.
func (s *StickyAgent) GraceOrDefault() time.Duration {
	if s.Grace > 0 {
		return s.Grace
	}
	return DefaultStickyGrace
}

// CategoryOrDefault is the disposition category that counts as a complaint.
func (r *RepeatComplaints) CategoryOrDefault() string {
	if r.Category != "" {
		return r.Category
	}
	return "complaint"
}

// CheckQueue returns what is wrong with a queue's care keys (each may be
// nil: not set), each reason starting with its key below the queue.
func CheckQueue(survey *Survey, sticky *StickyAgent, rec *Recording) []string {
	var reasons []string
	if s := survey; s != nil && (s.Timeout < 0 || s.Timeout > time.Minute) {
		reasons = append(reasons, "survey.timeout must be between 0s (default 8s) and 1m")
	}
	if s := sticky; s != nil {
		if s.Days < 1 || s.Days > 366 {
			reasons = append(reasons, "sticky_agent.days must be 1 to 366")
		}
		if s.Grace < 0 || s.Grace > 10*time.Minute {
			reasons = append(reasons, "sticky_agent.grace must be between 0s (default 20s) and 10m")
		}
	}
	if r := rec; r != nil && r.RetentionDays < 0 {
		reasons = append(reasons, "recording.retention_days must not be negative (0 keeps recordings)")
	}
	return reasons
}

// Check returns what is wrong with repeat_complaints, each reason starting
// with its key below it. That the senior queue exists spans sections:
// package config checks it.
func (r RepeatComplaints) Check() []string {
	var reasons []string
	if r.Threshold < 1 {
		reasons = append(reasons, "threshold must be at least 1")
	}
	if r.Priority < 0 {
		reasons = append(reasons, "priority must not be negative")
	}
	return reasons
}
