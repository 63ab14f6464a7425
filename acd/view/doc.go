// Package view is the ACD's read side: what a queue, an agent or a call
// looks like to metrics, the wallboard, the agent panel and a supervisor,
// and the arithmetic behind the figures shown there (the rolling average
// handle time and the expected wait).
//
// It owns these plain values and formulas. It must not hold queues, calls
// or agents, read the clock or decide anything: the ACD (package acd)
// fills the values in from its books, at the time of its command.
package view
