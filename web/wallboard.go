package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/web/i18n"
	"github.com/hotline-oss/hotline/web/sse"
)

//go:embed wallboard/index.html
var wallboardPage []byte

// wallboard streams a snapshot of the queues to the page once per period
// over Server-Sent Events.
type wallboard struct {
	source func() any
	// tickets, when set, gives the ticket counts (overdue, open) sent as
	// an event of their own after each snapshot.
	tickets func() any
	period  time.Duration
	// heartbeatEvery sends an SSE comment every n snapshots so that proxies
	// and the browser see the stream is alive even if snapshots fail.
	heartbeatEvery int

	lang string // the pages' default language

	shutdownOnce sync.Once
	shutdown     chan struct{} // closed when the server shuts down
}

// WithWallboard serves the live wallboard: the page at /wallboard and its
// stream at /wallboard/events. source returns the snapshot to show (it is
// marshalled to JSON once per second per viewer). The wallboard shows
// queue figures only, no caller or agent identities, so that a TV can show
// it without a token.
func (s *Server) WithWallboard(source func() any, opts ...WallboardOption) {
	s.withWallboard(source, time.Second, opts...)
}

// WallboardOption adds to the wallboard.
type WallboardOption func(*wallboard)

// WithWallboardTickets sends the ticket counts from counts (no identities:
// how many are overdue and open) after each snapshot, as a "tickets"
// event that the page shows in its header.
func WithWallboardTickets(counts func() any) WallboardOption {
	return func(wb *wallboard) { wb.tickets = counts }
}

func (s *Server) withWallboard(source func() any, period time.Duration, opts ...WallboardOption) {
	wb := &wallboard{source: source, period: period, heartbeatEvery: 15, shutdown: make(chan struct{}), lang: s.lang}
	for _, o := range opts {
		o(wb)
	}
	// Shutdown waits for handlers to return; an endless stream must end
	// on its own.
	s.srv.RegisterOnShutdown(func() { wb.shutdownOnce.Do(func() { close(wb.shutdown) }) })
	s.mux.HandleFunc("GET /wallboard", wb.page)
	s.mux.HandleFunc("GET /wallboard/events", wb.events)
}

func (wb *wallboard) page(w http.ResponseWriter, r *http.Request) {
	i18n.ServePage(w, r, wallboardPage, wb.lang)
}

// events streams one "snapshot" event per period until the client goes
// away or the server shuts down.
func (wb *wallboard) events(w http.ResponseWriter, r *http.Request) {
	rc, err := sse.Open(w, "no-cache")
	if err != nil {
		return
	}
	ticker := time.NewTicker(wb.period)
	defer ticker.Stop()
	for sent := 0; ; sent++ {
		if err := wb.send(w, sent); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		if !sse.NextTick(r.Context(), wb.shutdown, ticker.C) {
			return
		}
	}
}

func (wb *wallboard) send(w http.ResponseWriter, sent int) error {
	if sent%wb.heartbeatEvery == 0 {
		if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
			return fmt.Errorf("wallboard: heartbeat: %w", err)
		}
	}
	// JSON has no raw newlines, so one data line carries the snapshot.
	data, err := json.Marshal(wb.source())
	if err != nil {
		// A snapshot that cannot be encoded is a bug; the heartbeat keeps
		// the stream up so the page shows stale rather than nothing.
		_, err = fmt.Fprintf(w, ": snapshot: %s\n\n", err)
		return err
	}
	if _, err = fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", data); err != nil || wb.tickets == nil {
		return err
	}
	if data, err = json.Marshal(wb.tickets()); err != nil {
		_, err = fmt.Fprintf(w, ": tickets: %s\n\n", err)
		return err
	}
	_, err = fmt.Fprintf(w, "event: tickets\ndata: %s\n\n", data)
	return err
}
