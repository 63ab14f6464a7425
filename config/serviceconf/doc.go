// Package serviceconf is the services section of the configuration: the
// outside HTTP services the IVR asks about a caller's account, with their
// timeout, retries, signing secret and circuit breaker, their defaults and
// the check of one service.
//
// It owns what one service's keys mean and when they are wrong. Package
// config reads the file and places each error at its file and line.
//
// It must not read files, open connections, or import config.
package serviceconf
