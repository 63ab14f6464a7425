// Package chromiumtest finds and runs headless Chromium for the tests of
// the web pages (the wallboard, the agent panel, the supervisor console).
//
// It is for tests only: it imports nothing of ours and must not be
// imported by server code.
package chromiumtest
