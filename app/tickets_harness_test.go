package app

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/web"
)

const (
	supervisorToken = "supervisor-token-0123"
	agentToken      = "agent-1001-token-0123"
)

// jumpClock runs at the real pace (the ACD's timers keep working) and can
// jump ahead, to bring a return visit's day without waiting for it.
type jumpClock struct {
	base shiftedClock
	mu   sync.Mutex
	off  time.Duration
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Now().Add(c.off)
}

func (c *jumpClock) jump(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// ticketSetup turns on return visits one minute after closing, at any
// hour, dialled through a Go test phone standing in for the trunk.
func ticketSetup(gatewayURI string, edit func(*config.Config)) func(*config.Config) {
	return func(cfg *config.Config) {
		cfg.CallbackGateway = &config.CallbackGateway{URI: gatewayURI, FromNumber: "95598"}
		cfg.Tickets.ReturnVisit = config.ReturnVisit{
			Enabled: true, CallingHours: "00:00-24:00", MaxAttempts: 2, RetryAfter: time.Minute,
			RingTimeout: 10 * time.Second,
			Delays:      map[string]time.Duration{"complaint": time.Minute, "fault": time.Minute},
		}
		if edit != nil {
			edit(cfg)
		}
	}
}

// startTickets starts the ACD test server with tickets and a jumpable clock.
func startTickets(t *testing.T, gw *testphone.Phone, edit func(*config.Config)) (*harness, *jumpClock) {
	t.Helper()
	clock := &jumpClock{}
	h := startPrepared(t, acdTestConfig, ticketSetup("sip:{number}@"+gw.Addr(), edit), func(s *Server) {
		clock.base = newShiftedClock(officeOpen)
		s.clock = clock
	})
	return h, clock
}

// startTicketDesk starts a tickets server whose calls out reach a gateway
// phone, with agent 1001's phone logged in and its panel signed in.
func startTicketDesk(t *testing.T) (h *harness, clock *jumpClock, gw, agent *testphone.Phone, panel *panelClient) {
	t.Helper()
	gw = gatewayPhone(t, testphone.AutoAnswer)
	h, clock = startTickets(t, gw, nil)
	agent = h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	panel = h.panelClient()
	panel.do("POST", "/agent/login", `{"agent":"1001","password":"pw1001"}`, http.StatusOK)
	return h, clock, gw, agent, panel
}

// closeForReturnVisit has agent 1001 answer (with note) and close ticket
// id, then moves the clock past the return visit's delay and sweeps, so
// the visit is due.
func (h *harness) closeForReturnVisit(t *testing.T, clock *jumpClock, id, note string) {
	t.Helper()
	h.ticketAPI(t, "POST", "/tickets/"+id+"/answer", agentToken, note, 200)
	h.ticketAPI(t, "POST", "/tickets/"+id+"/close", agentToken, "", 200)
	clock.jump(2 * time.Minute)
	h.srv.tickets.Sweep()
}

// ticketView is a ticket as the API answers it.
type ticketView struct {
	ID           string   `json:"id"`
	State        string   `json:"state"`
	Owner        string   `json:"owner"`
	Caller       string   `json:"caller"`
	CallIDs      []string `json:"call_ids"`
	Language     string   `json:"language"`
	VisitState   string   `json:"visit_state"`
	Satisfaction int      `json:"satisfaction"`
	Resolved     string   `json:"resolved"`
	Reopened     int      `json:"reopened"`
	History      []struct {
		Action, Actor, To string
	} `json:"history"`
}

func (h *harness) ticketAPI(t *testing.T, method, path, token, body string, want int) ticketView {
	t.Helper()
	code, out := h.apiRequest(t, method, path, token, body)
	if code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, out, want)
	}
	var v ticketView
	if code < 300 {
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, out)
		}
	}
	return v
}

// panelRequest sends one panel request (session cookie, panel header) and
// decodes the answer into v.
func panelRequest(t *testing.T, c *panelClient, method, path, body string, want int, v any) {
	t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set(web.PanelHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("panel %s %s: %d %s, want %d", method, path, res.StatusCode, data, want)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("panel %s: %v in %s", path, err, data)
		}
	}
}

// servedCall has agent 1001 answer a call from 13800000001 and the caller
// hang up; it returns the call id.
func (h *harness) servedCall(t *testing.T, agent *testphone.Phone) string {
	t.Helper()
	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, agent)
	hearEachOther(t, caller, leg, "1001")
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	h.events.waitEnd(t, id)
	return id
}

// visitAnswered waits for the return-visit call at the trunk, checks it is
// for the customer, and answers the survey with keys.
func visitAnswered(t *testing.T, gw *testphone.Phone, satisfied, resolved string) {
	t.Helper()
	cust := waitIncoming(t, gw)
	select {
	case o := <-gw.Offers():
		if o.To != "13800000001" || o.From != "95598" {
			t.Fatalf("return visit INVITE to %q from %q", o.To, o.From)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no INVITE outcome at the trunk")
	}
	heard(t, cust, 25, "the return visit's greeting")
	press(t, cust, satisfied)
	heard(t, cust, 25, "the question whether it is resolved")
	press(t, cust, resolved)
	select {
	case <-cust.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not hang up after the survey")
	}
}

func (h *harness) waitTicket(t *testing.T, id string, match func(ticketView) bool) ticketView {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := h.ticketAPI(t, "GET", "/tickets/"+id, supervisorToken, "", 200)
		if match(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %s stays %+v", id, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
