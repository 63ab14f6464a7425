package config

import (
	"os"
	"time"
)

// Database chooses where records go: SQLite in the data directory unless
// a MySQL/MariaDB DSN is set.
type Database struct {
	DSN    string `yaml:"dsn"`     // e.g. user:pass@tcp(db:3306)/hotline — prefer dsn_env
	DSNEnv string `yaml:"dsn_env"` // read the DSN from this environment variable
	// ReportTimezone is the wall clock of report intervals (default: the
	// server's local zone).
	ReportTimezone string `yaml:"report_timezone"`
}

// DatabaseDSN returns the configured DSN ("" for SQLite).
func (c *Config) DatabaseDSN() string {
	if c.Database.DSNEnv != "" {
		return os.Getenv(c.Database.DSNEnv)
	}
	return c.Database.DSN
}

// ReportLocation is the time zone reports are cut in.
func (c *Config) ReportLocation() *time.Location {
	if c.Database.ReportTimezone == "" {
		return time.Local
	}
	loc, err := time.LoadLocation(c.Database.ReportTimezone)
	if err != nil {
		return time.Local
	}
	return loc
}

func (c *Config) validateDatabase() []error {
	var errs []error
	if c.Database.ReportTimezone != "" {
		if _, err := time.LoadLocation(c.Database.ReportTimezone); err != nil {
			errs = append(errs, c.Errorf("database", "database.report_timezone: %v", err))
		}
	}
	if c.Database.DSNEnv != "" && os.Getenv(c.Database.DSNEnv) == "" {
		errs = append(errs, c.Errorf("database", "database.dsn_env: environment variable %s is empty", c.Database.DSNEnv))
	}
	return errs
}
