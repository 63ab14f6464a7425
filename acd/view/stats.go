package view

import (
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
)

// handleWindow is how many recent calls the average handle time covers.
const handleWindow = 50

// HandleTimes is a rolling average of a queue's handle times (talk + hold +
// wrap-up) over its last handleWindow calls.
type HandleTimes struct {
	samples [handleWindow]time.Duration
	n, next int
	sum     time.Duration
}

// Add records one call's handle time.
func (h *HandleTimes) Add(d time.Duration) {
	if h.n == handleWindow {
		h.sum -= h.samples[h.next]
	} else {
		h.n++
	}
	h.samples[h.next] = d
	h.sum += d
	h.next = (h.next + 1) % handleWindow
}

// Average is the rolling mean, or acdconfig.DefaultHandleTime before any call.
func (h *HandleTimes) Average() time.Duration {
	if h.n == 0 {
		return acdconfig.DefaultHandleTime
	}
	return h.sum / time.Duration(h.n)
}

// ExpectedWait estimates the wait of the caller at position pos (1 = next):
// the calls that the idle agents cannot take at once, times the queue's
// average handle time, shared among the staffed agents (logged in, not
// paused). With nobody staffed, the estimate assumes one agent will be.
func ExpectedWait(pos, idle, staffed int, handle time.Duration) time.Duration {
	work := pos - idle
	if work <= 0 {
		return 0
	}
	return handle * time.Duration(work) / time.Duration(max(staffed, 1))
}
