package visitcall

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/tickets"
)

// The prompts a return visit plays (prompts/texts.yaml).
var visitPrompts = []string{
	"return_visit_intro", "survey_rate", "survey_invalid", "return_visit_resolved",
	"survey_thanks", "return_visit_reopened",
}

// surveyStep is the question a return visit is at.
type surveyStep uint8

const (
	askSatisfied surveyStep = iota
	askResolved
	surveyFinished
	surveyFailed
)

// visitSurvey decides what the customer's keys mean: first how satisfied
// they are (1–5), then whether the matter is resolved (1 yes, 2 no). It
// holds no timer and no media, so its rules are tested alone; each answer
// returns the prompts to play next.
type visitSurvey struct {
	step    surveyStep
	misses  int // invalid keys and silences on the current question
	answers tickets.VisitAnswers
}

// maxMisses is how many invalid keys or silences a question takes before
// the survey ends unanswered.
const maxMisses = 2

func (s *visitSurvey) start() []string { return []string{"return_visit_intro", "survey_rate"} }

// key is the customer's key d; done is true once the survey is over
// (answered, or failed).
func (s *visitSurvey) key(d rune) (play []string, done bool) {
	switch s.step {
	case askSatisfied:
		if d >= '1' && d <= '5' {
			s.answers.Satisfaction = int(d - '0')
			s.step, s.misses = askResolved, 0
			return []string{"return_visit_resolved"}, false
		}
		return s.miss([]string{"survey_invalid", "survey_rate"})
	case askResolved:
		switch d {
		case '1':
			s.answers.Resolved, s.step = true, surveyFinished
			return []string{"survey_thanks"}, true
		case '2':
			s.answers.Resolved, s.step = false, surveyFinished
			return []string{"return_visit_reopened"}, true
		}
		return s.miss([]string{"return_visit_resolved"})
	}
	return nil, true
}

// timeout is a question left unanswered: it is asked once more.
func (s *visitSurvey) timeout() (play []string, done bool) {
	if s.step == askSatisfied {
		return s.miss([]string{"survey_rate"})
	}
	return s.miss([]string{"return_visit_resolved"})
}

func (s *visitSurvey) miss(again []string) ([]string, bool) {
	s.misses++
	if s.misses > maxMisses {
		s.step = surveyFailed
		return nil, true
	}
	return again, false
}

// SurveyLeg is the customer's side of a return-visit call (media.Stream).
type SurveyLeg interface {
	Play(prompts ...*playout.Prompt)
	StopPlayback()
	Digits() <-chan rune
	PlaybackDone() <-chan struct{}
}

// Prompts finds the decoded prompts of a language.
type Prompts interface {
	Get(lang, name string) *playout.Prompt
}

// answerTimeout is how long a question waits for a key once heard.
const answerTimeout = 10 * time.Second

// runSurvey asks the return-visit survey over leg until it is answered,
// fails, or the customer hangs up (gone closes).
func runSurvey(ctx context.Context, leg SurveyLeg, gone <-chan struct{}, ps Prompts, lang string) (tickets.VisitAnswers, error) {
	s := &visitSurvey{}
	play := func(names []string) {
		var list []*playout.Prompt
		for _, n := range names {
			if p := ps.Get(lang, n); p != nil {
				list = append(list, p)
			}
		}
		leg.Play(list...)
	}
	play(s.start())
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var next []string
		var done bool
		select {
		case <-ctx.Done():
			return tickets.VisitAnswers{}, ctx.Err()
		case <-gone:
			return tickets.VisitAnswers{}, fmt.Errorf("%w: the customer hung up during the survey", tickets.ErrVisitUnanswered)
		case <-leg.PlaybackDone():
			timer.Reset(answerTimeout)
			continue
		case d := <-leg.Digits():
			leg.StopPlayback()
			timer.Stop()
			next, done = s.key(d)
		case <-timer.C:
			next, done = s.timeout()
		}
		if !done {
			play(next)
			continue
		}
		if s.step == surveyFailed {
			return tickets.VisitAnswers{}, fmt.Errorf("%w: no valid answer", tickets.ErrVisitUnanswered)
		}
		play(next)
		select { // let the last words be heard
		case <-leg.PlaybackDone():
		case <-gone:
		case <-time.After(15 * time.Second):
		}
		return s.answers, nil
	}
}
