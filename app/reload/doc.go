// Package reload is the one place that decides what a configuration
// reload applies live and what needs a restart: it compares the new
// configuration with the one applied last (Describe) and with the one the
// server started with (RestartOnly), serialises reloads, reads the
// configuration again from its source, turns a refused configuration into
// the API's list of problems and counts reloads on /metrics. A reload
// that began on another node of a cluster (Follow) goes through the
// parts' Follow func instead of Apply.
//
// How each part takes the new configuration is app's: the Controller
// calls the Apply func it is given, which compiles the snapshot and hands
// it to the parts. This package must not build or reach into the parts,
// start anything, or import app.
package reload
