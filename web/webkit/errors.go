package webkit

import "errors"

// The errors the controls behind the HTTP side return, and the status
// each gets: ErrInvalid → 400, ErrUnauthorized → 401 (credentials such as
// a signature do not check out), ErrForbidden → 403, ErrNotFound → 404,
// ErrConflict → 409, ErrUnprocessable → 422, ErrUnavailable → 503 (the
// records cannot be reached right now; nothing changed).
var (
	ErrInvalid       = errors.New("invalid request")
	ErrUnauthorized  = errors.New("unauthorized")
	ErrForbidden     = errors.New("forbidden")
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("conflict")
	ErrUnprocessable = errors.New("cannot process")
	ErrUnavailable   = errors.New("unavailable")
)
