package qualityconf

import (
	"fmt"
	"regexp"
	"slices"
)

// Quality configures the quality review of recorded calls (package
// quality): the evaluation forms supervisors fill in, and which calls go
// to the review queue each month.
type Quality struct {
	// SamplePerAgent is how many of each agent's recorded calls are drawn
	// at random each month for review (default 5; 0 turns the sample off).
	SamplePerAgent *int `yaml:"sample_per_agent"`
	// LowSurveyScore: a recorded call whose survey score is at or below
	// this is always reviewed (default 2; 0 turns the flag off).
	LowSurveyScore *int `yaml:"low_survey_score"`
	// ComplaintCategories: a recorded call with one of these dispositions
	// is always reviewed (default [complaint]).
	ComplaintCategories []string `yaml:"complaint_categories"`
	// Teams group agents for the team score: team name → agent ids.
	Teams map[string][]string `yaml:"teams"`
	// Forms are the evaluation forms; the first that lists a call's queue
	// is used for it, else the first without queues.
	Forms []QualityForm `yaml:"forms"`
}

// QualityForm is one evaluation form.
type QualityForm struct {
	ID       string           `yaml:"id"`
	Name     string           `yaml:"name"`
	Queues   []string         `yaml:"queues"` // empty: every queue
	Sections []QualitySection `yaml:"sections"`
}

// QualitySection groups questions under a title.
type QualitySection struct {
	Title     string            `yaml:"title"`
	Questions []QualityQuestion `yaml:"questions"`
}

// QualityQuestion is one line of a form. Max 1 (the default) is a yes/no
// question (1 yes, 0 no); Max N is a 0–N scale. A critical question
// answered 0 zeroes the whole score.
type QualityQuestion struct {
	ID       string  `yaml:"id"`
	Text     string  `yaml:"text"`
	Weight   float64 `yaml:"weight"`
	Max      int     `yaml:"max"`
	Critical bool    `yaml:"critical"`
}

// Quality review defaults.
const (
	DefaultSamplePerAgent = 5
	DefaultLowSurveyScore = 2
)

// WithDefaults is the section with its defaults filled in; the forms are
// copied, so the configuration it came from stays as parsed.
func (q Quality) WithDefaults() Quality {
	if q.SamplePerAgent == nil {
		n := DefaultSamplePerAgent
		q.SamplePerAgent = &n
	}
	if q.LowSurveyScore == nil {
		n := DefaultLowSurveyScore
		q.LowSurveyScore = &n
	}
	if q.ComplaintCategories == nil {
		q.ComplaintCategories = []string{"complaint"}
	}
	forms := slices.Clone(q.Forms)
	for i := range forms {
		forms[i].Sections = slices.Clone(forms[i].Sections)
		for j := range forms[i].Sections {
			qs := slices.Clone(forms[i].Sections[j].Questions)
			for k := range qs {
				if qs[k].Max == 0 {
					qs[k].Max = 1
				}
			}
			forms[i].Sections[j].Questions = qs
		}
	}
	q.Forms = forms
	return q
}

var qualityID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Check returns what is wrong with the section, each reason starting with
// its key below quality. isAgent and isQueue say which agents and queues
// are configured: teams and forms name them.
func (q Quality) Check(isAgent, isQueue func(string) bool) []string {
	var reasons []string
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if q.SamplePerAgent != nil && (*q.SamplePerAgent < 0 || *q.SamplePerAgent > 100) {
		fail("sample_per_agent %d: want 0 to 100 calls a month", *q.SamplePerAgent)
	}
	if q.LowSurveyScore != nil && (*q.LowSurveyScore < 0 || *q.LowSurveyScore > 5) {
		fail("low_survey_score %d: want 0 (off) to 5", *q.LowSurveyScore)
	}
	for team, members := range q.Teams {
		if !qualityID.MatchString(team) {
			fail("teams.%s: want a lower-case name of letters, digits and _", team)
		}
		for i, m := range members {
			if !isAgent(m) {
				fail("teams.%s[%d]: %q is not a configured agent", team, i, m)
			}
		}
	}
	seen := map[string]bool{}
	for i, f := range q.Forms {
		where := fmt.Sprintf("forms[%d]", i)
		switch {
		case !qualityID.MatchString(f.ID):
			fail("%s.id %q: want a lower-case code of letters, digits and _", where, f.ID)
		case seen[f.ID]:
			fail("%s.id %q: used by an earlier form", where, f.ID)
		}
		seen[f.ID] = true
		for j, name := range f.Queues {
			if !isQueue(name) {
				fail("%s.queues[%d]: %q is not a configured queue", where, j, name)
			}
		}
		reasons = append(reasons, checkSections(where, f.Sections)...)
	}
	return reasons
}

func checkSections(where string, sections []QualitySection) []string {
	var reasons []string
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if len(sections) == 0 {
		fail("%s.sections: a form needs at least one section", where)
	}
	ids := map[string]bool{}
	var weight float64
	for j, s := range sections {
		sw := fmt.Sprintf("%s.sections[%d]", where, j)
		if s.Title == "" {
			fail("%s.title: a section needs a title", sw)
		}
		if len(s.Questions) == 0 {
			fail("%s.questions: a section needs at least one question", sw)
		}
		for k, qq := range s.Questions {
			qw := fmt.Sprintf("%s.questions[%d]", sw, k)
			switch {
			case !qualityID.MatchString(qq.ID):
				fail("%s.id %q: want a lower-case code of letters, digits and _", qw, qq.ID)
			case ids[qq.ID]:
				fail("%s.id %q: used twice in the form", qw, qq.ID)
			}
			ids[qq.ID] = true
			if qq.Text == "" {
				fail("%s.text: a question needs its text", qw)
			}
			if qq.Weight < 0 || qq.Weight > 100 {
				fail("%s.weight %v: want 0 to 100", qw, qq.Weight)
			}
			if qq.Max < 0 || qq.Max > 10 {
				fail("%s.max %d: want 1 (yes/no) to 10 (a 0–10 scale)", qw, qq.Max)
			}
			weight += qq.Weight
		}
	}
	if len(sections) > 0 && weight <= 0 {
		fail("%s.sections: the weights add up to 0; give at least one question a weight", where)
	}
	return reasons
}
