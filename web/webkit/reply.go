package webkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Registrar is where a part registers its routes: the server's mux, or a
// bare ServeMux in a part's own tests.
type Registrar interface {
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

// WriteJSON answers v as JSON with code.
func WriteJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError answers {"error": msg} with code.
func WriteError(w http.ResponseWriter, code int, msg string) {
	WriteJSON(w, code, map[string]string{"error": msg})
}

// WriteResult writes out with code, or the status err maps to.
func WriteResult(w http.ResponseWriter, code int, out any, err error) {
	switch {
	case errors.Is(err, ErrInvalid):
		WriteError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrUnprocessable):
		WriteError(w, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, ErrNotFound):
		WriteError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrUnavailable):
		WriteError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		WriteError(w, http.StatusInternalServerError, err.Error())
	default:
		WriteJSON(w, code, out)
	}
}

// WriteQueryError answers a read that failed: 503 when the records cannot
// be reached right now (ErrUnavailable; try again later), 400 otherwise,
// since what is left is a query the records refuse (a period too long, a
// bad filter).
func WriteQueryError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnavailable) {
		WriteError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	WriteError(w, http.StatusBadRequest, err.Error())
}

// InputMessage is err's text without the ErrInvalid prefix, for a 400 body
// that starts with the field at fault.
func InputMessage(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}

// DecodeBody reads a small JSON body; unknown fields are refused so that
// a request naming another agent fails loudly instead of acting as self.
func DecodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

// DecodeLimited reads a JSON body of at most limit bytes, refusing
// unknown fields.
func DecodeLimited(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return DecodeJSONStrict(r.Body, v)
}

// DecodeJSONStrict decodes one JSON value from r, refusing unknown fields.
func DecodeJSONStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

// PathID reads the {id} path value as a positive integer, answering 400
// when it is not one.
func PathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		WriteError(w, http.StatusBadRequest, "id: want a positive integer")
		return 0, false
	}
	return id, true
}

// RequireHeader refuses a request without header set to "1": a page's
// own script sets it, a form another site posts cannot (the pages' CSRF
// guard, beside the SameSite session cookie).
func RequireHeader(header string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(header) != "1" {
			WriteError(w, http.StatusForbidden, "missing "+header+": 1 header")
			return
		}
		next(w, r)
	}
}

// ClientAddr is the connection's source address. Forwarded headers are
// not trusted: anyone could set them to dodge a login throttle.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
