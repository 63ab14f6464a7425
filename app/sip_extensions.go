package app

import (
	"errors"
	"sort"

	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/sip"
)

// applyCallerSIP passes the callers' SIP extensions to the endpoint:
// session timers (sip.session_timer) and the early media announcements of
// numbers in the long form (checked by checkEarlyMedia).
func (s *Server) applyCallerSIP(sc *sip.Config) {
	st := s.cfg.SIP.SessionTimer.WithDefaults()
	sc.MinSE, sc.SessionExpires = st.MinSE, st.SessionExpires
	if !st.On() {
		sc.SessionExpires = -1
	}
	announcements, _ := s.earlyMedia()
	if len(announcements) > 0 {
		sc.EarlyMedia = func(number string) []*playout.Prompt { return announcements[number] }
	}
}

// checkEarlyMedia reports early media prompts that do not exist.
func (s *Server) checkEarlyMedia() error {
	_, err := s.earlyMedia()
	return err
}

// earlyMedia resolves each number's announcement. It plays before the call
// is answered, when no language has been chosen: it must exist in the
// default language.
func (s *Server) earlyMedia() (map[string][]*playout.Prompt, error) {
	cfg := s.cfg
	numbers := make([]string, 0, len(cfg.NumberOptions))
	for n := range cfg.NumberOptions {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	out := make(map[string][]*playout.Prompt)
	var errs []error
	for _, n := range numbers {
		name := cfg.NumberOptions[n].EarlyMedia
		if name == "" {
			continue
		}
		p := s.prompts.Get(cfg.DefaultLanguage, name)
		if p == nil {
			errs = append(errs, cfg.Errorf("numbers", "numbers.%s.early_media: prompt %q missing for language %s",
				n, name, cfg.DefaultLanguage))
			continue
		}
		out[n] = []*playout.Prompt{p}
	}
	return out, errors.Join(errs...)
}
