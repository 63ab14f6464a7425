package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/signedhttp"
)

// Lookup results, as counted by hotline_lookups_total{result} and carried
// in LookupDone events.
const (
	LookupOK          = "ok"
	LookupNotFound    = "not_found"
	LookupTimeout     = "timeout"
	LookupError       = "error"
	LookupCircuitOpen = "circuit_open"
)

// LookupRequest is what the account service receives (JSON POST).
type LookupRequest struct {
	Account string `json:"account"`
	Caller  string `json:"caller"`
	CallID  string `json:"call_id"`
}

// LookupAnswer is what the account service answers. Amounts are integer
// cents so no float rounding reaches a caller's bill; dates are YYYY-MM-DD,
// outage times RFC 3339.
type LookupAnswer struct {
	Found         bool    `json:"found"`
	NameMasked    string  `json:"name_masked,omitempty"`
	BalanceCents  *int64  `json:"balance_cents,omitempty"`
	ArrearsCents  *int64  `json:"arrears_cents,omitempty"`
	DueDate       string  `json:"due_date,omitempty"`
	Area          string  `json:"area,omitempty"`
	PlannedOutage *Outage `json:"planned_outage,omitempty"`
}

// Outage is a planned interruption of supply.
type Outage struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// errBadAnswer marks answers that retrying will not fix.
var errBadAnswer = errors.New("bad answer")

// check rejects answers the IVR could speak wrongly.
func (a LookupAnswer) check() error {
	if !a.Found {
		return nil
	}
	for name, v := range map[string]*int64{"balance_cents": a.BalanceCents, "arrears_cents": a.ArrearsCents} {
		if v != nil && (*v < 0 || *v > ivr.MaxSayNumber*100) {
			return fmt.Errorf("%w: %s %d out of range", errBadAnswer, name, *v)
		}
	}
	if a.DueDate != "" {
		if _, err := time.Parse(time.DateOnly, a.DueDate); err != nil {
			return fmt.Errorf("%w: due_date %q: want YYYY-MM-DD", errBadAnswer, a.DueDate)
		}
	}
	if o := a.PlannedOutage; o != nil {
		for _, v := range []string{o.Start, o.End} {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return fmt.Errorf("%w: planned_outage %q: want RFC 3339", errBadAnswer, v)
			}
		}
	}
	return nil
}

// Vars turns a found account into IVR variables (names of ivr.Var*).
func (a LookupAnswer) Vars() map[string]string {
	v := map[string]string{}
	set := func(k, val string) {
		if val != "" {
			v[k] = val
		}
	}
	set(ivr.VarArea, a.Area)
	set(ivr.VarNameMasked, a.NameMasked)
	set(ivr.VarDueDate, a.DueDate)
	if a.BalanceCents != nil {
		v[ivr.VarBalanceCents] = strconv.FormatInt(*a.BalanceCents, 10)
	}
	if a.ArrearsCents != nil {
		v[ivr.VarArrearsCents] = strconv.FormatInt(*a.ArrearsCents, 10)
	}
	if o := a.PlannedOutage; o != nil {
		set(ivr.VarOutageStart, o.Start)
		set(ivr.VarOutageEnd, o.End)
	}
	return v
}

// lookupClient asks one account service, with a per-attempt timeout,
// retries for failures that may pass, and a circuit breaker.
type lookupClient struct {
	name    string
	url     func() string // resolved per request: builtin:demo needs the bound HTTP address
	timeout time.Duration
	retries int
	backoff time.Duration
	breaker *breaker
	poster  signedhttp.Poster // signs with the service's secret, if any
	clock   Clock
}

// newLookupClient builds the client of service name; url is resolved at
// each request.
func newLookupClient(name string, svc config.Service, url func() string, clk Clock) *lookupClient {
	svc = svc.WithDefaults()
	return &lookupClient{
		name: name, url: url,
		timeout: svc.Timeout, retries: *svc.Retries, backoff: 100 * time.Millisecond,
		breaker: newBreaker(svc.Breaker.Failures, svc.Breaker.CoolDown),
		poster:  signedhttp.Poster{Client: &http.Client{}, Secret: []byte(svc.SecretValue())}, clock: clk,
	}
}

// Lookup asks about req.Account. result is one of the Lookup* constants;
// err says why a lookup did not give an answer. A lookup whose ctx ends
// first (the caller hung up) fails with ctx's error and does not count
// against the service's breaker.
func (c *lookupClient) Lookup(ctx context.Context, req LookupRequest) (ans LookupAnswer, result string, err error) {
	if !c.breaker.allow(c.clock.Now()) {
		return ans, LookupCircuitOpen, fmt.Errorf("lookup %s: circuit open", c.name)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return ans, LookupError, fmt.Errorf("lookup %s: %w", c.name, err)
	}
	for attempt := 0; ; attempt++ {
		ans, err = c.attempt(ctx, body)
		retry := err != nil && !errors.Is(err, errBadAnswer) && ctx.Err() == nil && attempt < c.retries
		if !retry {
			break
		}
		select {
		case <-time.After(c.backoff << attempt):
		case <-ctx.Done():
		}
	}
	if err != nil && ctx.Err() != nil {
		// The caller hung up before the service answered: that says
		// nothing about the service, so the breaker neither counts it
		// nor keeps waiting for it as a half-open trial.
		c.breaker.release()
		return ans, LookupError, fmt.Errorf("lookup %s: caller left: %w", c.name, ctx.Err())
	}
	c.breaker.record(err == nil, c.clock.Now())
	switch {
	case err == nil && ans.Found:
		return ans, LookupOK, nil
	case err == nil:
		return ans, LookupNotFound, nil
	case errors.Is(err, context.DeadlineExceeded):
		return ans, LookupTimeout, fmt.Errorf("lookup %s: %w", c.name, err)
	}
	return ans, LookupError, fmt.Errorf("lookup %s: %w", c.name, err)
}

// attempt is one POST with its own timeout. A 404 means "no such account",
// the same as {"found": false}.
func (c *lookupClient) attempt(ctx context.Context, body []byte) (LookupAnswer, error) {
	var ans LookupAnswer
	res, err := c.poster.Post(ctx, signedhttp.Request{URL: c.url(), Body: body, Timeout: c.timeout})
	if err != nil {
		return ans, err
	}
	switch {
	case res.Status == http.StatusNotFound:
		return LookupAnswer{}, nil
	case res.Retryable():
		return ans, fmt.Errorf("status %d", res.Status)
	case res.Status != http.StatusOK:
		return ans, fmt.Errorf("%w: status %d", errBadAnswer, res.Status)
	}
	if err := json.Unmarshal(res.Body, &ans); err != nil {
		return ans, fmt.Errorf("%w: json: %v", errBadAnswer, err)
	}
	return ans, ans.check()
}

// breaker is a consecutive-failure circuit breaker. Closed: requests pass.
// Open: they fail at once until the cool-down has passed. Half-open: one
// trial passes; its success closes the breaker, its failure opens it again.
type breaker struct {
	mu        sync.Mutex
	threshold int
	coolDown  time.Duration
	failures  int
	openedAt  time.Time
	open      bool
	trial     bool // half-open: the one trial request is in flight
}

func newBreaker(threshold int, coolDown time.Duration) *breaker {
	return &breaker{threshold: threshold, coolDown: coolDown}
}

func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if b.trial || now.Sub(b.openedAt) < b.coolDown {
		return false
	}
	b.trial = true
	return true
}

func (b *breaker) record(ok bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.open, b.trial, b.failures = false, false, 0
		return
	}
	b.failures++
	if b.trial || b.failures >= b.threshold {
		b.open, b.trial, b.openedAt = true, false, now
	}
}

// release forgets a request that ended without a verdict on the service;
// a half-open breaker lets the next request be its trial.
func (b *breaker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trial = false
}

// state names the breaker's state, for logs and tests.
func (b *breaker) state(now time.Time) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.open:
		return "closed"
	case b.trial || now.Sub(b.openedAt) >= b.coolDown:
		return "half-open"
	}
	return "open"
}
