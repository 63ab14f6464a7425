package selfservice

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"time"
)

// DemoAccountsPath is where the built-in demo account service answers on the
// server's own HTTP listener (services.<name>.url: builtin:demo).
const DemoAccountsPath = "/demo/accounts"

// demoAccount is a built-in account whose dates follow the server's clock,
// so the demo speaks a due date and an outage ahead of today on any day,
// and its tests hear the same offsets every time. Area "north" has a
// planned outage.
type demoAccount struct {
	answer   LookupAnswer // dates left empty
	dueIn    int          // days from today to the due date
	outageIn int          // days from today to an 08:00–16:00 outage; 0: none
}

var demoAccounts = map[string]demoAccount{
	"1234567890": {answer: LookupAnswer{
		Found: true, NameMasked: "Z** W**", BalanceCents: ptr[int64](12345), ArrearsCents: ptr[int64](5000), Area: "north",
	}, dueIn: 12, outageIn: 5},
	"8765432109": {answer: LookupAnswer{
		Found: true, NameMasked: "L** F***", BalanceCents: ptr[int64](0), ArrearsCents: ptr[int64](0), Area: "south",
	}, dueIn: 27},
	"1111111111": {answer: LookupAnswer{
		Found: true, NameMasked: "K** M**", BalanceCents: ptr[int64](8800), ArrearsCents: ptr[int64](0), Area: "north",
	}, dueIn: 19, outageIn: 5},
}

// answerOn is the account's answer on the day of now in loc.
func (d demoAccount) answerOn(now time.Time, loc *time.Location) LookupAnswer {
	ans := d.answer
	today := now.In(loc)
	day := func(offset, hour int) time.Time {
		return time.Date(today.Year(), today.Month(), today.Day()+offset, hour, 0, 0, 0, loc)
	}
	ans.DueDate = day(d.dueIn, 0).Format(time.DateOnly)
	if d.outageIn > 0 {
		ans.PlannedOutage = &Outage{Start: day(d.outageIn, 8).Format(time.RFC3339), End: day(d.outageIn, 16).Format(time.RFC3339)}
	}
	return ans
}

func ptr[T any](v T) *T { return &v }

var demoAccountPattern = regexp.MustCompile(`^[0-9]{4,20}$`)

// DemoAccountsHandler answers LookupRequests from demoAccounts, dated from
// clk's today in loc; an unknown account gets {"found": false}.
func DemoAccountsHandler(clk Clock, loc *time.Location) http.Handler {
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
		ans := LookupAnswer{Found: false}
		if acct, ok := demoAccounts[req.Account]; ok {
			ans = acct.answerOn(clk.Now(), loc)
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
