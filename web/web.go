package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/web/i18n"
	"github.com/hotline-oss/hotline/web/webkit"
)

// Readiness reports whether the server should receive new calls; a non-nil
// error is shown on /readyz with status 503.
type Readiness func() error

// Server is the HTTP listener.
type Server struct {
	mux  *routeMux
	srv  *http.Server
	ln   net.Listener
	log  *slog.Logger
	now  func() time.Time // the server's clock: every default window and stamp
	lang string           // the pages' default language (PageLanguages)
}

// Option configures a Server.
type Option func(*Server)

// WithServerClock makes every time the HTTP side reads (default report and
// fault windows, audit stamps, panel sessions) come from now, the same clock
// the rest of the server runs on. Two clocks in one server disagree as soon
// as one of them is not the wall clock. A nil now keeps time.Now.
func WithServerClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithPageLanguage sets the language the web pages use for a user who
// chose none and whose browser asks for none of PageLanguages: the
// hotline's standard language. Unknown codes keep the first of
// PageLanguages.
func WithPageLanguage(lang string) Option {
	return func(s *Server) {
		if slices.Contains(i18n.PageLanguages, lang) {
			s.lang = lang
		}
	}
}

// New builds the routes: /healthz (the process is alive), /readyz (it takes
// new calls), /metrics and the API description at /api/v1/openapi.json.
func New(metrics http.Handler, ready Readiness, log *slog.Logger, opts ...Option) *Server {
	mux := newRouteMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := ready(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET "+OpenAPIPath, serveOpenAPI)
	// Not a route but the answer for paths no route serves, so it stays
	// out of the route list the API description is checked against.
	mux.ServeMux.HandleFunc("/api/", unknownAPIPath)
	s := &Server{
		mux:  mux,
		log:  log,
		now:  time.Now,
		lang: i18n.PageLanguages[0],
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout:       60 * time.Second,
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start listens on addr (":0" allowed) and serves in the background.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http: listen %s: %w", addr, err)
	}
	s.ln = ln
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	s.log.Info("http listening", "addr", ln.Addr().String())
	return nil
}

// Addr is the bound address.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops the listener and waits briefly for requests in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// unknownAPIPath answers every /api/ path no route serves, so that a typo
// gets JSON like the rest of the API rather than a plain-text page.
func unknownAPIPath(w http.ResponseWriter, r *http.Request) {
	webkit.WriteError(w, http.StatusNotFound, "no API endpoint "+r.Method+" "+r.URL.Path)
}
