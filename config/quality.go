package config

import "github.com/hotline-oss/hotline/config/qualityconf"

// The quality section, its defaults and its checks live in package
// qualityconf; these names keep them where the rest of the server reads
// the configuration.
type (
	Quality         = qualityconf.Quality
	QualityForm     = qualityconf.QualityForm
	QualitySection  = qualityconf.QualitySection
	QualityQuestion = qualityconf.QualityQuestion
)

// Quality review defaults (see qualityconf).
const (
	DefaultSamplePerAgent = qualityconf.DefaultSamplePerAgent
	DefaultLowSurveyScore = qualityconf.DefaultLowSurveyScore
)

// QualityRules is the section with its defaults filled in.
func (c *Config) QualityRules() Quality { return c.Quality.WithDefaults() }

// validateQuality places the section's reasons under quality.
func (c *Config) validateQuality() []error {
	agents := map[string]bool{}
	for _, a := range c.Agents {
		agents[a.ID] = true
	}
	isQueue := func(name string) bool { _, ok := c.Queues[name]; return ok }
	var errs []error
	for _, r := range c.Quality.Check(func(id string) bool { return agents[id] }, isQueue) {
		errs = append(errs, c.Errorf("quality", "quality.%s", r))
	}
	return errs
}
