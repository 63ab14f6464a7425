package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
)

// DemoAccountsPath is where the built-in demo account service answers on the
// server's own HTTP listener (services.<name>.url: builtin:demo).
const DemoAccountsPath = "/demo/accounts"

// demoAccounts are fixed, so the demo and its tests sound the same every
// time and need no network. Area "north" has a planned outage.
var demoAccounts = map[string]LookupAnswer{
	"1234567890": {
		Found: true, NameMasked: "Z** W**", BalanceCents: ptr[int64](12345), ArrearsCents: ptr[int64](5000),
		DueDate: "2026-12-05", Area: "north",
		PlannedOutage: &Outage{Start: "2026-11-28T08:00:00+08:00", End: "2026-11-28T16:00:00+08:00"},
	},
	"8765432109": {
		Found: true, NameMasked: "L** F***", BalanceCents: ptr[int64](0), ArrearsCents: ptr[int64](0),
		DueDate: "2026-12-20", Area: "south",
	},
	"1111111111": {
		Found: true, NameMasked: "K** M**", BalanceCents: ptr[int64](8800), ArrearsCents: ptr[int64](0),
		DueDate: "2026-12-12", Area: "north",
		PlannedOutage: &Outage{Start: "2026-11-28T08:00:00+08:00", End: "2026-11-28T16:00:00+08:00"},
	},
}

func ptr[T any](v T) *T { return &v }

var demoAccountPattern = regexp.MustCompile(`^[0-9]{4,20}$`)

// demoAccountsHandler answers LookupRequests from demoAccounts; an unknown
// account gets {"found": false}.
func demoAccountsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST a JSON look-up request", http.StatusMethodNotAllowed)
			return
		}
		var req LookupRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		if !demoAccountPattern.MatchString(req.Account) {
			http.Error(w, `"account" must be 4 to 20 digits`, http.StatusBadRequest)
			return
		}
		ans, ok := demoAccounts[req.Account]
		if !ok {
			ans = LookupAnswer{Found: false}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(ans)
	})
}

// handlerTransport answers HTTP requests with a handler in process, so the
// built-in demo service goes through the same client code (timeouts,
// retries, breaker) as a real one.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}
