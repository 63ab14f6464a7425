// Package config reads the server's YAML configuration. Every error names
// the file, line and reason; the server refuses to start on any of them.
//
// It owns the shape of the file, its defaults (DefaultFeatures, …) and the
// validation of its keys; flows and calendars stay YAML nodes here, for
// the ivr package to parse. It must not start anything, open sockets or
// databases, or know about running calls: it turns a file into a checked
// *Config, and the app package decides what to apply and when (at start or
// on reload).
package config
