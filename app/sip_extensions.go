package app

import (
	"errors"
	"sort"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/sip"
)

// applyCallerSIP passes the callers' SIP extensions to the endpoint:
// session timers (sip.session_timer) and the early media announcements of
// numbers in the long form. An announcement must exist in the default
// language: no language has been chosen before the call is answered.
func (s *Server) applyCallerSIP(sc *sip.Config) error {
	cfg := s.cfg
	st := cfg.SIP.SessionTimer.WithDefaults()
	sc.MinSE, sc.SessionExpires = st.MinSE, st.SessionExpires
	if !st.On() {
		sc.SessionExpires = -1
	}
	announcements := make(map[string][]*media.Prompt)
	var errs []error
	numbers := make([]string, 0, len(cfg.NumberOptions))
	for n := range cfg.NumberOptions {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
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
		announcements[n] = []*media.Prompt{p}
	}
	if len(announcements) > 0 {
		sc.EarlyMedia = func(number string) []*media.Prompt { return announcements[number] }
	}
	return errors.Join(errs...)
}
