package sse

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/web/webkit"
)

// EventHub fans events out to SSE clients. Each client has a bounded buffer;
// a client that falls behind is dropped so the bus never waits for it.
type EventHub struct {
	fullCaller bool
	buffer     int
	heartbeat  time.Duration
	writeLimit time.Duration

	mu      sync.Mutex
	seq     uint64
	clients map[*sseClient]struct{}
	dropped uint64 // streams given up on because their buffer was full
	closed  bool
	done    chan struct{}
}

// EventHubOption adjusts a hub.
type EventHubOption func(*EventHub) error

// WithCallerNumbers sends callers' full numbers instead of the last four
// digits.
func WithCallerNumbers(full bool) EventHubOption {
	return func(h *EventHub) error { h.fullCaller = full; return nil }
}

// WithClientBuffer sets how many events a client may lag behind before it
// is dropped (default 1024).
func WithClientBuffer(n int) EventHubOption {
	return func(h *EventHub) error {
		if n < 1 {
			return fmt.Errorf("events: client buffer %d: want at least 1", n)
		}
		h.buffer = n
		return nil
	}
}

// WithHeartbeat sets the interval of keep-alive comments (default 15s).
func WithHeartbeat(d time.Duration) EventHubOption {
	return func(h *EventHub) error {
		if d <= 0 {
			return fmt.Errorf("events: heartbeat %s: want > 0", d)
		}
		h.heartbeat = d
		return nil
	}
}

// NewEventHub builds a hub; subscribe it to the call bus. Invalid options
// are ignored (they are only set from code).
func NewEventHub(opts ...EventHubOption) *EventHub {
	h := &EventHub{
		buffer: 1024, heartbeat: 15 * time.Second, writeLimit: 10 * time.Second,
		clients: make(map[*sseClient]struct{}), done: make(chan struct{}),
	}
	for _, o := range opts {
		_ = o(h)
	}
	return h
}

type sseMessage struct {
	seq  uint64
	kind call.Kind
	data []byte
}

type sseClient struct {
	kinds   map[call.Kind]bool
	ch      chan sseMessage
	dropped chan struct{} // closed when the hub gave up on the client
}

// HandleEvent numbers e and offers it to every client without blocking.
func (h *EventHub) HandleEvent(e call.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	if h.closed || len(h.clients) == 0 {
		return
	}
	data, err := MarshalEvent(e, h.fullCaller)
	if err != nil {
		return
	}
	msg := sseMessage{seq: h.seq, kind: e.Kind, data: data}
	for c := range h.clients {
		if c.kinds != nil && !c.kinds[e.Kind] {
			continue
		}
		select {
		case c.ch <- msg:
		default:
			delete(h.clients, c)
			close(c.dropped)
			h.dropped++
		}
	}
}

// Dropped counts the streams the hub gave up on because they fell behind
// (their buffer was full): each missed that event and every later one.
func (h *EventHub) Dropped() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// Clients is the number of connected streams.
func (h *EventHub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Close ends every stream; the HTTP server calls it on shutdown.
func (h *EventHub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

func (h *EventHub) join(kinds map[call.Kind]bool) (*sseClient, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	c := &sseClient{kinds: kinds, ch: make(chan sseMessage, h.buffer), dropped: make(chan struct{})}
	h.clients[c] = struct{}{}
	return c, true
}

func (h *EventHub) leave(c *sseClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.clients, c)
}

// Serve streams the events to one client until it goes away, falls
// behind or the hub closes. Query: kinds=call_ended,agent_answered.
func (h *EventHub) Serve(w http.ResponseWriter, r *http.Request, _ webkit.Token) {
	var names []string
	if q := r.URL.Query().Get("kinds"); q != "" {
		names = strings.Split(q, ",")
	}
	kinds, err := ParseKinds(names)
	if err != nil {
		webkit.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, ok := h.join(kinds)
	if !ok {
		webkit.WriteError(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	defer h.leave(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // keep reverse proxies from buffering the stream
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), limit: h.writeLimit}
	// The opening comment tells the client it is subscribed.
	if !sw.send(": connected\n\n") {
		return
	}
	h.pump(r, c, sw)
}

func (h *EventHub) pump(r *http.Request, c *sseClient, sw *sseWriter) {
	beat := time.NewTicker(h.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.done:
			sw.send(": server closing\n\n")
			return
		case <-c.dropped:
			sw.send(": dropped: client too slow\n\n")
			return
		case m := <-c.ch:
			frame := "id: " + strconv.FormatUint(m.seq, 10) + "\nevent: " + m.kind.String() +
				"\ndata: " + string(m.data) + "\n\n"
			if !sw.send(frame) {
				return
			}
		case <-beat.C:
			if !sw.send(": heartbeat\n\n") {
				return
			}
		}
	}
}

// sseWriter writes and flushes one frame with a deadline, so a client that
// stopped reading cannot hold the handler forever.
type sseWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	limit time.Duration
}

func (s *sseWriter) send(frame string) bool {
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.limit))
	if _, err := s.w.Write([]byte(frame)); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}
