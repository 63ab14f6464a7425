package acdburst

import (
	"bytes"
	"runtime"
)

// phoneMarker appears in the stack of every goroutine the test phones run.
const phoneMarker = "hotline/internal/testphone."

// goroutineSplit counts the goroutines of this process, and of them those
// running test-phone code; the rest are the server's (and the harness's
// handful). Goroutines the SIP library starts for a phone without a phone
// frame on their stack count as the server's, so the split is close, not
// exact.
type goroutineSplit struct {
	Total, Phones int
}

// Server is the goroutines that are not the phones'.
func (g goroutineSplit) Server() int { return g.Total - g.Phones }

// splitGoroutines takes a full stack dump (it stops the world for a few
// milliseconds with thousands of goroutines: call it outside a window).
func splitGoroutines() goroutineSplit {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return splitStackDump(buf[:n], []byte(phoneMarker))
		}
		buf = make([]byte, 2*len(buf))
	}
}

// splitStackDump parses runtime.Stack(all) output: one goroutine per
// paragraph, each starting "goroutine N [state]:".
func splitStackDump(dump, marker []byte) goroutineSplit {
	var g goroutineSplit
	for block := range bytes.SplitSeq(dump, []byte("\n\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(block), []byte("goroutine ")) {
			continue
		}
		g.Total++
		if bytes.Contains(block, marker) {
			g.Phones++
		}
	}
	return g
}
