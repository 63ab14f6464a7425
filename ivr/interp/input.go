package interp

import (
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// This file holds what happens once the caller is expected to respond:
// key presses, silence and playback ends at menus and collects.

func (s *Session) onPlaybackDone() {
	switch s.phase {
	case phasePlaying:
		s.goTo(s.node.Next)
	case phasePrompt:
		s.phase = phaseInput
		s.startTimer(s.waitLimit())
	case phaseGoodbye:
		s.hangUp(s.goodbye)
	case phaseFallback:
		s.goTo(s.node.OnFail)
	case phaseNotices:
		s.phase = phaseStayOn
		s.startTimer(s.flow.Silence.Timeout)
	case phaseRecIntro:
		s.startRecording()
	}
}

// waitLimit is how long to wait for the first key after a prompt.
func (s *Session) waitLimit() time.Duration {
	if s.node.Type == ivr.TypeCollect && !s.confirm {
		return s.node.FirstDigitTimeout
	}
	return s.flow.Silence.Timeout
}

func (s *Session) onDigit(d rune) {
	switch s.phase {
	case phaseNotices, phaseStayOn:
		s.noticeKey(d)
	case phaseRecord:
		s.recordKey(d)
	case phasePlaying:
		if s.node.BargeIn {
			s.emit(StopPlayback{})
			s.goTo(s.node.Next)
		}
	case phasePrompt:
		if !s.node.BargeIn {
			return
		}
		s.emit(StopPlayback{})
		s.phase = phaseInput
		s.onKey(d)
	case phaseInput:
		s.onKey(d)
	}
}

func (s *Session) onKey(d rune) {
	s.liveTimer = 0
	switch {
	case s.node.Type == ivr.TypeMenu:
		s.menuKey(d)
	case s.confirm:
		s.confirmKey(d)
	default:
		s.collectKey(d)
	}
}

func (s *Session) onTimeout() {
	switch s.phase {
	case phaseLookup:
		s.lookupFailed()
		return
	case phaseStayOn:
		s.goTo(s.node.Next) // silence after a notice: the caller stays on
		return
	case phaseRecord, phaseFiling:
		s.onJobTimeout()
		return
	}
	if s.phase != phaseInput {
		return
	}
	if s.node.Type == ivr.TypeCollect && !s.confirm && len(s.digits) > 0 {
		s.endEntry() // inter-digit timeout: the caller has finished typing
		return
	}
	s.silences++
	if s.silences > s.flow.Silence.Retries {
		s.sayGoodbye(s.flow.Silence.Goodbye, Hangup{Reason: ReasonSilence})
		return
	}
	s.askAgain(s.flow.Silence.Reprompt)
}

// askAgain plays before (a hint or an error) and then the prompt the caller
// is answering, and waits for input again from scratch.
func (s *Session) askAgain(before []ivr.PromptRef) {
	s.digits = s.digits[:0]
	prompts := make([]ivr.PromptRef, 0, len(before)+len(s.replay))
	prompts = append(append(prompts, before...), s.replay...)
	s.playing(phasePrompt, prompts, s.node.BargeIn)
}

// wrongEntry counts a bad answer: the first Retries are asked again, the
// next one fails the node.
func (s *Session) wrongEntry(hint []ivr.PromptRef) {
	s.invalids++
	if s.invalids <= s.node.Retries {
		s.askAgain(hint)
		return
	}
	if s.node.OnFail != "" {
		s.goTo(s.node.OnFail)
		return
	}
	s.sayGoodbye(s.flow.Silence.Goodbye, Hangup{Reason: ReasonRetries})
}

func (s *Session) menuKey(d rune) {
	if target, ok := s.node.Options[d]; ok {
		s.goTo(target)
		return
	}
	s.wrongEntry(s.node.Invalid)
}

func (s *Session) collectKey(d rune) {
	n := s.node
	switch {
	case n.Terminator != 0 && d == n.Terminator:
		s.endEntry()
	case d < '0' || d > '9':
		s.wrongEntry(n.Invalid)
	default:
		s.digits = append(s.digits, d)
		if len(s.digits) >= n.Max {
			s.endEntry()
			return
		}
		s.startTimer(n.InterDigitTimeout)
	}
}

// endEntry judges a finished entry: too short or off-pattern counts as a
// wrong entry; otherwise it is read back or accepted.
func (s *Session) endEntry() {
	n := s.node
	value := string(s.digits)
	if len(s.digits) < n.Min || (n.Pattern != nil && !n.Pattern.MatchString(value)) {
		s.wrongEntry(n.Invalid)
		return
	}
	if !n.Confirm {
		s.accept(value)
		return
	}
	s.confirm, s.entered = true, value
	s.replay = readBack(value)
	s.askAgain(nil)
}

func (s *Session) confirmKey(d rune) {
	switch d {
	case '1':
		s.accept(s.entered)
	case '2':
		s.confirm, s.entered = false, ""
		s.replay = s.node.Prompts
		s.askAgain(nil)
	default:
		// Not the caller's number that was wrong, so no "invalid" hint:
		// just read it back again.
		s.wrongEntry(nil)
	}
}

func (s *Session) accept(value string) {
	s.vars[s.node.Var] = value
	s.goTo(s.node.Next)
}

// readBack composes "you entered 1 2 3, press 1 to confirm or 2 to re-enter"
// in the session's current language.
func readBack(value string) []ivr.PromptRef {
	out := []ivr.PromptRef{{Name: ivr.PromptYouEntered}}
	for _, d := range value {
		out = append(out, ivr.PromptRef{Name: ivr.DigitPromptName(d)})
	}
	return append(out, ivr.PromptRef{Name: ivr.PromptConfirmReenter})
}
