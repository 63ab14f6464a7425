// Package chromiumtest finds and runs headless Chromium for the tests of
// the web pages (the wallboard, the agent panel, the supervisor console):
// DOM dumps and screenshots under virtual time, a real-time run that
// waits for a driver page's report, and the small HTTP front that serves
// the driver pages beside the server under test.
//
// It is for tests only: it imports nothing of ours and must not be
// imported by server code.
package chromiumtest
