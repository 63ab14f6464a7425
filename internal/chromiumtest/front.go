package chromiumtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Front serves the driver pages (path to HTML) and their reports (POST
// /report, decoded into R and offered to reports) in front of the server
// at base, to which it passes every other request; capped, it ends the
// event streams after a second (see CapStreams), for pictures under
// virtual time. It closes when the test ends.
func Front[R any](t testing.TB, base string, capped bool, pages map[string]string, reports chan<- R) *httptest.Server {
	t.Helper()
	h := Proxy(t, base)
	if capped {
		h = CapStreams(h)
	}
	mux := Pages(h, pages)
	mux.Handle("POST /report", Reports(reports))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// DriverPage is a test page that works a page of ours like a person
// would: body holds a full-window iframe with id "f" (and whatever else
// the driver shows), script works the iframe's document. A driver reports
// by POST /report (see Front) or, for a DOM dump, in its own document.
func DriverPage(body, script string) string {
	return `<!doctype html>
<html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}</style></head>
<body>` + body + `
<script>
` + script + `
</script></body></html>`
}

// Pages serves each driver page (HTML) at its path and everything else
// from h. Callers may add more routes to the mux.
func Pages(h http.Handler, pages map[string]string) *http.ServeMux {
	mux := http.NewServeMux()
	for path, page := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, page)
		})
	}
	mux.Handle("/", h)
	return mux
}

// Reports takes a driver page's report, a JSON body decoded into R, and
// offers it to reports; one that nobody waits for is dropped.
func Reports[R any](reports chan<- R) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var rep R
		_ = json.NewDecoder(r.Body).Decode(&rep)
		select {
		case reports <- rep:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// CapStreams ends each request to a path ending in /stream (the pages'
// event streams) after a second: headless virtual time stands still
// while a fetch is open, and the pages reconnect by themselves.
func CapStreams(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stream") {
			ctx, cancel := context.WithTimeout(r.Context(), time.Second)
			defer cancel()
			r = r.WithContext(ctx)
		}
		h.ServeHTTP(w, r)
	})
}

// Proxy forwards every request to base (scheme and host), flushing each
// piece of the answer at once so that event streams keep flowing. Its
// connections close when the test ends.
func Proxy(t testing.TB, base string) http.Handler {
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		res, err := transport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		copyFlushing(w, res.Body)
	})
}

func copyFlushing(w http.ResponseWriter, body io.Reader) {
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}
