package sse

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Open starts an event stream of a page (the wallboard, the agent panel,
// the supervisor console): the headers that keep the browser and reverse
// proxies from caching or buffering it, then the browser's retry delay
// (2 s after a failed connection). cacheControl is the page's own
// Cache-Control. The caller writes events, flushes with the controller
// and ends when the client goes away or the server shuts down.
func Open(w http.ResponseWriter, cacheControl string) (*http.ResponseController, error) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return nil, fmt.Errorf("sse: open stream: %w", err)
	}
	return rc, nil
}

// NextTick waits between two events of a page's stream for tick; it is
// false when ctx (the request's) ends or shutdown closes first, and the
// stream must then end.
func NextTick(ctx context.Context, shutdown <-chan struct{}, tick <-chan time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-shutdown:
		return false
	case <-tick:
		return true
	}
}
