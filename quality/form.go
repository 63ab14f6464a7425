package quality

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hotline-oss/hotline/config"
)

// ErrBadAnswers: the answers do not fit the form (a question left out, an
// unknown question, a value outside its scale).
var ErrBadAnswers = errors.New("answers do not fit the form")

// Question is one line of a form. Max 1 is yes/no; Max N a 0–N scale.
type Question struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Weight   float64 `json:"weight"`
	Max      int     `json:"max"`
	Critical bool    `json:"critical"`
}

// Section is a titled group of questions.
type Section struct {
	Title     string     `json:"title"`
	Questions []Question `json:"questions"`
}

// Form is an evaluation form.
type Form struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Queues   []string  `json:"queues,omitempty"`
	Sections []Section `json:"sections"`
}

// FormsFrom turns the configuration's forms (defaults filled in, see
// config.QualityRules) into Forms.
func FormsFrom(cfg []config.QualityForm) []Form {
	out := make([]Form, 0, len(cfg))
	for _, f := range cfg {
		form := Form{ID: f.ID, Name: f.Name, Queues: slices.Clone(f.Queues)}
		if form.Name == "" {
			form.Name = f.ID
		}
		for _, s := range f.Sections {
			sec := Section{Title: s.Title}
			for _, q := range s.Questions {
				sec.Questions = append(sec.Questions, Question{ID: q.ID, Text: q.Text, Weight: q.Weight, Max: max(q.Max, 1), Critical: q.Critical})
			}
			form.Sections = append(form.Sections, sec)
		}
		out = append(out, form)
	}
	return out
}

// FormFor picks the form for a call of queue: the first that lists the
// queue, else the first that lists none. false when no form fits.
func FormFor(forms []Form, queue string) (Form, bool) {
	for _, f := range forms {
		if slices.Contains(f.Queues, queue) {
			return f, true
		}
	}
	for _, f := range forms {
		if len(f.Queues) == 0 {
			return f, true
		}
	}
	return Form{}, false
}

// Result is a scored form.
type Result struct {
	// Score is 0–100: each question's share of its scale times its
	// weight, over the total weight; 0 when a critical question failed.
	Score float64 `json:"score"`
	// Raw is the score before any critical failure zeroed it.
	Raw            float64  `json:"raw"`
	CriticalFailed []string `json:"critical_failed,omitempty"`
}

// Score checks answers against the form (every question answered, each
// value within 0..Max, nothing else) and scores them.
func Score(f Form, answers map[string]int) (Result, error) {
	var total, got float64
	var failed []string
	known := 0
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			v, ok := answers[q.ID]
			if !ok {
				return Result{}, fmt.Errorf("%w: question %q is not answered", ErrBadAnswers, q.ID)
			}
			if v < 0 || v > q.Max {
				return Result{}, fmt.Errorf("%w: question %q: %d is outside 0–%d", ErrBadAnswers, q.ID, v, q.Max)
			}
			known++
			total += q.Weight
			got += q.Weight * float64(v) / float64(q.Max)
			if q.Critical && v == 0 {
				failed = append(failed, q.ID)
			}
		}
	}
	if len(answers) != known {
		for id := range answers {
			if !f.has(id) {
				return Result{}, fmt.Errorf("%w: form %s has no question %q", ErrBadAnswers, f.ID, id)
			}
		}
	}
	if total <= 0 {
		return Result{}, fmt.Errorf("%w: form %s has no weight", ErrBadAnswers, f.ID)
	}
	r := Result{Raw: round1(100 * got / total), CriticalFailed: failed}
	if len(failed) == 0 {
		r.Score = r.Raw
	}
	return r, nil
}

func (f Form) has(id string) bool {
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			if q.ID == id {
				return true
			}
		}
	}
	return false
}

func round1(x float64) float64 {
	return float64(int64(x*10+0.5)) / 10
}
