package web

import (
	"context"
	"errors"
	"net/http"
)

// ConfigRejected is the error a Reloader returns for a configuration that
// does not validate; Problems are "file:line: reason" lines.
type ConfigRejected struct{ Problems []string }

func (e *ConfigRejected) Error() string {
	return "configuration rejected; the running configuration stays"
}

// Reloader reloads the configuration; the result says what changed.
type Reloader interface {
	Reload(ctx context.Context) (any, error)
}

// WithReload adds POST /api/v1/reload (admin role): reload the
// configuration file as SIGHUP does. 200 with what changed; 400 with every
// problem when the new file is rejected (nothing changes then).
func (s *Server) WithReload(r Reloader, tokens []Token) {
	a := &api{tokens: tokens}
	s.mux.HandleFunc("POST /api/v1/reload", a.auth(RoleAdmin, func(w http.ResponseWriter, req *http.Request, _ Token) {
		out, err := r.Reload(req.Context())
		var rejected *ConfigRejected
		switch {
		case errors.As(err, &rejected):
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": rejected.Error(), "problems": rejected.Problems})
		case err != nil:
			writeError(w, http.StatusInternalServerError, err.Error())
		default:
			writeJSON(w, http.StatusOK, out)
		}
	}))
}
