package app

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/quality"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// qualityRefresh is how often the monitoring-score gauges are recomputed
// (besides after each review): a new month starts them afresh.
const qualityRefresh = 10 * time.Minute

// startQuality builds the quality review from the configuration's forms
// and serves it on the API, the console and the agent panel.
func (s *Server) startQuality() error {
	rules := s.cfg.QualityRules()
	svc, err := quality.New(quality.Deps{
		Store: func() quality.Store {
			if s.store == nil {
				return nil
			}
			return s.store
		},
		Forms: quality.FormsFrom(rules.Forms),
		Rules: quality.Rules{
			SamplePerAgent: *rules.SamplePerAgent, LowSurveyScore: *rules.LowSurveyScore,
			ComplaintCategories: rules.ComplaintCategories,
		},
		Teams:    rules.Teams,
		Now:      s.clock.Now,
		Location: s.cfg.ReportLocation(),
		Audit: func(e store.AuditEntry) {
			if s.store != nil {
				s.store.Audit(e)
			}
		},
		Scores: quality.NewGauges(s.metrics.Registry()),
		Log:    s.log,
	})
	if err != nil {
		return err
	}
	s.quality = svc
	if s.workforce != nil {
		s.workforce.SetScores(svc) // the monthly report's monitoring score
	}
	stop := make(chan struct{})
	s.qualityStop = func() { close(stop) }
	go func() {
		t := time.NewTicker(qualityRefresh)
		defer t.Stop()
		for {
			s.refreshQuality()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

func (s *Server) refreshQuality() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.quality.Refresh(ctx); err != nil {
		s.log.Debug("quality scores not refreshed", "err", err)
	}
}

func (s *Server) mountQuality(tokens []web.Token) {
	if s.quality != nil && len(tokens) > 0 {
		s.web.WithReviews(s.quality, tokens, s.cfg.ReportLocation())
	}
}
