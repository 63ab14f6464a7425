package rest

import (
	"context"
	"errors"
	"net/http"

	"github.com/hotline-oss/hotline/web/webkit"
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

// ReloadRoutes adds POST /api/v1/reload (admin role): reload the
// configuration file as SIGHUP does. 200 with what changed; 400 with every
// problem when the new file is rejected (nothing changes then).
func ReloadRoutes(mux webkit.Registrar, r Reloader, tokens []webkit.Token) {
	a := &webkit.Guard{Tokens: tokens}
	mux.HandleFunc("POST /api/v1/reload", a.Auth(webkit.RoleAdmin, func(w http.ResponseWriter, req *http.Request, _ webkit.Token) {
		out, err := r.Reload(req.Context())
		var rejected *ConfigRejected
		switch {
		case errors.As(err, &rejected):
			webkit.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": rejected.Error(), "problems": rejected.Problems})
		case err != nil:
			webkit.WriteError(w, http.StatusInternalServerError, err.Error())
		default:
			webkit.WriteJSON(w, http.StatusOK, out)
		}
	}))
}
