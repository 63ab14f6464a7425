// Package workforceconf is the workforce section of the configuration:
// the adherence target, late log-in and early log-out margins, the
// out-of-adherence alert and which pause reasons count as each planned
// activity, their defaults and their checks.
//
// It owns what those keys mean and when they are wrong, as "key: reason"
// relative to workforce. Package config reads the file, places each reason
// at its file and line, and gives it the agent panel's pause reasons.
//
// It must not read files or the clock, or import config.
package workforceconf
