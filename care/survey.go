package care

import (
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/metrics"
)

// surveyStep is what a caller's key (or silence) means in the survey.
type surveyStep uint8

const (
	surveyAnswered surveyStep = iota + 1 // a score from 1 to 5
	surveyRetry                          // an invalid key: ask once more
	surveySkipped                        // "#", a second invalid key, or no key in time
)

// surveyMachine decides what the caller's keys mean. It holds no timer and
// no media, so its rules are tested on their own; the runtime reports
// keys and timeouts to it.
type surveyMachine struct{ invalid int }

func (m *surveyMachine) key(d rune) (surveyStep, int) {
	switch {
	case d >= '1' && d <= '5':
		return surveyAnswered, int(d - '0')
	case d == '#':
		return surveySkipped, 0
	}
	m.invalid++
	if m.invalid > 1 {
		return surveySkipped, 0
	}
	return surveyRetry, 0
}

// timeout is a question left unanswered: the caller may skip the survey
// by simply staying silent.
func (m *surveyMachine) timeout() surveyStep { return surveySkipped }

// AfterTalk runs the post-call survey of the queue that answered the call
// when the agent ended the talk and the caller is still on the line. A
// caller who hung up first is not called back for it. lang is the
// caller's language (never empty).
func (cc *Call) AfterTalk(leg Leg, out TalkOutcome, lang string) {
	if cc == nil || out.Result != call.ResultAnsweredByAgent || out.Reason != "agent_hangup" {
		return
	}
	sv := cc.settings.queue(out.Queue).Survey // as the call entered the queue: a reload since does not change it
	if sv == nil || !sv.Enabled || leg.CallerGone() {
		return
	}
	svc, c := cc.svc, cc.c
	svc.deps.MoveTo(c.ID, metrics.StageSurvey)
	score, ok := survey(leg, lang, sv)
	c.Log.Info("survey", "queue", out.Queue, "agent", cc.agent, "answered", ok, "score", score)
	if !ok {
		return
	}
	svc.deps.Publish(call.Event{
		Kind: call.SurveyAnswered, Time: svc.deps.Clock.Now(), CallID: c.ID, Caller: c.Caller, Number: c.Number,
		Queue: out.Queue, Agent: cc.agent, Score: score, Language: lang,
	})
}

// survey asks the caller to rate the service and returns the score; ok is
// false when the caller skipped it or hung up.
func survey(l Leg, lang string, sv *config.Survey) (score int, ok bool) {
	if l.Drain() {
		return 0, false
	}
	ref := func(name string) ivr.PromptRef { return ivr.PromptRef{Lang: lang, Name: name} }
	question := []ivr.PromptRef{ref(sv.SurveyPrompt())}
	m := &surveyMachine{}
	_ = l.Play(question, true)
	// The wait for a key starts when the question has been heard in full,
	// and again after the retry.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case ev := <-l.Events():
			switch e := ev.(type) {
			case interp.CallerHangup:
				return 0, false
			case interp.PlaybackDone:
				timer.Reset(sv.SurveyTimeout())
			case interp.Digit:
				l.StopPlayback()
				timer.Stop()
				step, n := m.key(e.D)
				switch step {
				case surveyAnswered:
					l.PlayAndWait([]ivr.PromptRef{ref("survey_thanks")})
					return n, true
				case surveyRetry:
					_ = l.Play(append([]ivr.PromptRef{ref("survey_invalid")}, question...), true)
				default:
					l.PlayAndWait([]ivr.PromptRef{ref("goodbye")})
					return 0, false
				}
			}
		case <-timer.C:
			if m.timeout() == surveySkipped {
				l.PlayAndWait([]ivr.PromptRef{ref("goodbye")})
				return 0, false
			}
		}
	}
}
