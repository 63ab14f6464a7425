package web

import (
	"net/http"
	"slices"
	"sync"
)

// routeMux is the server's ServeMux, remembering every pattern registered
// on it. The list is what the API description is checked against: a route
// added without a description fails the test rather than staying unknown
// to integrators.
type routeMux struct {
	*http.ServeMux

	mu       sync.Mutex
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern, as http.ServeMux.Handle does.
func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, h) // panics on a conflict before anything is noted
	m.note(pattern)
}

// HandleFunc registers h for pattern, as http.ServeMux.HandleFunc does.
func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.ServeMux.HandleFunc(pattern, h)
	m.note(pattern)
}

func (m *routeMux) note(pattern string) {
	m.mu.Lock()
	m.patterns = append(m.patterns, pattern)
	m.mu.Unlock()
}

// Routes lists every pattern the server serves ("GET /api/v1/agents",
// "/demo/accounts" for a route of any method), in the order they were
// registered.
func (s *Server) Routes() []string {
	s.mux.mu.Lock()
	defer s.mux.mu.Unlock()
	return slices.Clone(s.mux.patterns)
}
