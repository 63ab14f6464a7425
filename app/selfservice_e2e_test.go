package app

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/selfservice"
)

const selfServiceConfig = "testdata/selfservice.yaml"
const ssToken = "selfservice-supervisor-token"

// promptTrace records every playback of every call, as prompt names.
type promptTrace struct {
	mu     sync.Mutex
	byCall map[string][]string
}

func traceHeard(h *harness) *promptTrace {
	hd := &promptTrace{byCall: map[string][]string{}}
	f := func(callID string, refs []ivr.PromptRef) {
		hd.mu.Lock()
		defer hd.mu.Unlock()
		for _, r := range refs {
			hd.byCall[callID] = append(hd.byCall[callID], r.String())
		}
	}
	h.srv.played.Store(&f)
	return hd
}

func (hd *promptTrace) text(callID string) string {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	return strings.Join(hd.byCall[callID], " ")
}

// ssRequest calls the HTTP API with the supervisor token.
func ssRequest(t *testing.T, h *harness, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, "http://"+h.srv.HTTPAddr()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ssToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// enterAccount dials, picks menu option digit and types the account.
func enterAccount(t *testing.T, h *harness, digit, account string) (string, func()) {
	t.Helper()
	c := h.dial(h.phone("udp"), "95598")
	id := c.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, c, digit)
	press(t, c, account)
	return id, func() { _ = c.Hangup(ctxT(t, 5*time.Second)) }
}

func TestLookupSpeaksAccountStatus(t *testing.T) {
	h := start(t, selfServiceConfig, nil)
	hd := traceHeard(h)
	id, _ := enterAccount(t, h, "1", "1234567890")
	done := h.events.wait(t, id, "lookup", func(e call.Event) bool { return e.Kind == call.LookupDone })
	if done.Reason != selfservice.LookupOK || done.Detail != "accounts" {
		t.Fatalf("lookup %+v", done)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultSelfService {
		t.Errorf("end %+v, want self-service", end)
	}
	// 123.45 due, 50.00 overdue, pay by 5 December, outage on 28 November.
	want := "en/account_balance_is en/num_1 en/num_100 en/num_20 en/num_3 en/currency_major en/num_40 en/num_5 en/currency_minor " +
		"en/account_arrears_is en/num_50 en/currency_major en/account_due_on en/month_12 en/day_5 " +
		"en/account_outage_on en/month_11 en/day_28"
	if got := hd.text(id); !strings.Contains(got, want) {
		t.Errorf("promptTrace %q\nwant it to contain %q", got, want)
	}
	if p := pathString(h.events.path(id)); p != "menu>account>lookup>notices>status>served" {
		t.Errorf("path %s", p)
	}

	unknown, _ := enterAccount(t, h, "1", "5555555555")
	h.events.waitNode(t, unknown, "unknown")
	h.events.waitEnd(t, unknown)
	h.waitIdle()
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "ok"); got != 1 {
		t.Errorf("lookups ok = %v", got)
	}
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "not_found"); got != 1 {
		t.Errorf("lookups not_found = %v", got)
	}
	if got := h.metric("hotline_lookup_duration_seconds", "service", "accounts"); got != 2 {
		t.Errorf("lookup duration samples = %v", got)
	}
}

func TestLookupServiceDownFallsBack(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused from now on
	h := start(t, selfServiceConfig, func(c *config.Config) {
		c.Services["accounts"] = config.Service{URL: dead.URL, Timeout: 500 * time.Millisecond}
	})
	hd := traceHeard(h)
	id, _ := enterAccount(t, h, "1", "1234567890")
	h.events.waitNode(t, id, "desk")
	done := h.events.wait(t, id, "lookup", func(e call.Event) bool { return e.Kind == call.LookupDone })
	if done.Reason != selfservice.LookupError {
		t.Errorf("lookup result %q, want error", done.Reason)
	}
	if !strings.Contains(hd.text(id), "en/lookup_unavailable") {
		t.Errorf("fallback not promptTrace: %q", hd.text(id))
	}
	h.events.waitEnd(t, id)
	h.waitIdle()
	if got := h.metric("hotline_lookups_total", "service", "accounts", "result", "error"); got != 1 {
		t.Errorf("lookups error = %v", got)
	}
}
