package app

import (
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// A caller's RTP sender restarts behind an SBC between two menus: same
// SSRC, sequence numbers and timestamps far back. Every key pressed after
// the restart must still reach the IVR.
func TestDigitsAfterRTPRestartAreHeard(t *testing.T) {
	h := start(t, e2eConfig, nil)
	end := walk(t, h, "udp", func(c *testphone.Call, id string) {
		press(t, c, "2")
		h.events.waitNode(t, id, "account")
		c.RestartRTP(20000, 1<<30)
		press(t, c, "1234567890")
		waitQuiet(t, c)
		press(t, c, "1")
	})
	if got := pathString(h.events.path(end.CallID)); got != "greeting>notice>menu>account>queue" {
		t.Errorf("path %s, want greeting>notice>menu>account>queue", got)
	}
	if end.Result != call.ResultBlocked {
		t.Errorf("result %s, want %s", end.Result, call.ResultBlocked)
	}
}
