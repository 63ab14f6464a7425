package interp

import "github.com/hotline-oss/hotline/ivr"

// AreaNotice is one active notice as the IVR plays it.
type AreaNotice struct {
	ID      string
	Prompts []ivr.PromptRef // fixed-language recordings, or bare names for the session language
}

// NoticeHeard reports that a notice started playing to the caller, for the
// NoticePlayed event.
type NoticeHeard struct {
	ID   string
	Area string
}

func (NoticeHeard) isAction() {}

// NoticeContinueKey leaves the notices node for its next node.
const NoticeContinueKey = '1'

func (s *Session) startNotices(n *ivr.Node) (string, bool) {
	area := s.vars[n.Var]
	if area == "" || s.env.AreaNotices == nil {
		return n.Next, false
	}
	notices := s.env.AreaNotices(area)
	var prompts []ivr.PromptRef
	for _, nt := range notices {
		if len(nt.Prompts) == 0 {
			continue
		}
		s.emit(NoticeHeard{ID: nt.ID, Area: area})
		prompts = append(prompts, nt.Prompts...)
	}
	if len(prompts) == 0 {
		return n.Next, false
	}
	s.playing(phaseNotices, append(prompts, n.Prompts...), true)
	return "", true
}

// noticeKey: 1 continues; other keys are ignored so a stray press does not
// cut a safety notice short.
func (s *Session) noticeKey(d rune) {
	if d != NoticeContinueKey {
		return
	}
	if s.phase == phaseNotices {
		s.emit(StopPlayback{})
	}
	s.goTo(s.node.Next)
}

// AtNotice reports whether the caller is at (or, once the session is done,
// left from) a notices node after hearing a notice.
func (s *Session) AtNotice() bool {
	if s.node == nil || s.node.Type != ivr.TypeNotices {
		return false
	}
	return s.phase == phaseNotices || s.phase == phaseStayOn || s.phase == phaseDone
}
