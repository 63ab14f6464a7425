// Package acdconfig is the ACD's configuration: agents, queues, their
// documented defaults (DefaultQueue) and Validate, which reports every
// problem at once, in configuration order, each wrapping ErrInvalidConfig.
//
// It owns the types and their checks. It must not build an ACD, read
// files or the clock; the config package maps the YAML onto these types
// and the ACD applies them (acd.New, Reload), under the names the acd
// package keeps for them.
package acdconfig
