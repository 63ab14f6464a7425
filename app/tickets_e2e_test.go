package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/signedhttp"
)

// TestTicketLifeEndToEnd follows a complaint from the call to the return
// visit: the agent opens it on the panel, a supervisor assigns it, the
// agent answers and closes it, and a minute later the server calls the
// customer through the trunk, who answers the survey with keys.
func TestTicketLifeEndToEnd(t *testing.T) {
	h, clock, gw, agent, panel := startTicketDesk(t)

	callID := h.servedCall(t, agent)
	var created ticketView
	panelRequest(t, panel, "POST", "/agent/api/tickets",
		`{"category":"complaint","urgency":"urgent","description":"meter reads double since the swap","account":"1001234567"}`,
		http.StatusCreated, &created)
	if created.State != "assigned" || created.Owner != "1001" || created.Caller != "13800000001" ||
		len(created.CallIDs) != 1 || created.CallIDs[0] != callID {
		t.Fatalf("ticket from the panel %+v", created)
	}
	var history struct {
		Open []ticketView `json:"open_tickets"`
		Last []struct {
			CallID string `json:"call_id"`
		} `json:"last_calls"`
	}
	if err := h.srv.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	panelRequest(t, panel, "GET", "/agent/api/customer", "", http.StatusOK, &history)
	if len(history.Open) != 1 || history.Open[0].ID != created.ID || len(history.Last) == 0 || history.Last[0].CallID != callID {
		t.Fatalf("the panel's customer history %+v", history)
	}

	id := created.ID
	h.ticketAPI(t, "POST", "/tickets/"+id+"/close", agentToken, "", http.StatusConflict)
	h.ticketAPI(t, "POST", "/tickets/"+id+"/assign", supervisorToken, `{"owner":"1001","note":"yours"}`, 200)
	h.ticketAPI(t, "POST", "/tickets/"+id+"/answer", agentToken, `{"note":"meter replaced, bill corrected"}`, 200)
	h.ticketAPI(t, "POST", "/tickets/"+id+"/return_visit", agentToken, `{"satisfaction":5,"resolved":true}`, http.StatusConflict)
	closed := h.ticketAPI(t, "POST", "/tickets/"+id+"/close", agentToken, `{"note":"done"}`, 200)
	if closed.State != "closed" || closed.VisitState != "pending" {
		t.Fatalf("closed ticket %+v", closed)
	}

	clock.jump(2 * time.Minute)
	h.srv.tickets.Sweep()
	visitAnswered(t, gw, "5", "1")
	v := h.waitTicket(t, id, func(v ticketView) bool { return v.State == "return_visited" })
	if v.Satisfaction != 5 || v.Resolved != "yes" || v.VisitState != "done" || len(v.CallIDs) != 2 {
		t.Fatalf("after the return visit %+v", v)
	}
	var steps []string
	for _, s := range v.History {
		steps = append(steps, s.Action+">"+s.To)
	}
	want := "create>open assign>assigned assign>assigned answer>answered close>closed return_visit>return_visited"
	if strings.Join(steps, " ") != want {
		t.Fatalf("history %q, want %q", strings.Join(steps, " "), want)
	}
	if got := h.metric("hotline_ticket_return_visits_total", "result", "answered"); got != 1 {
		t.Errorf("answered return visits %v", got)
	}
	if got := h.metric("hotline_tickets_closed_total", "category", "complaint", "in_deadline", "true"); got != 1 {
		t.Errorf("closed in deadline %v", got)
	}
	h.events.wait(t, "", "ticket_changed to return_visited", func(e call.Event) bool {
		return e.Kind == call.TicketChanged && e.Detail == id && e.State == "return_visited"
	})
}

// TestTicketNotResolvedOnTheReturnVisitReopens: the customer says it is
// not resolved; the ticket is reopened with a new deadline and the
// customer's next call waits for its owner first.
func TestTicketNotResolvedOnTheReturnVisitReopens(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h, clock := startTickets(t, gw, nil)
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	callID := h.servedCall(t, agent)
	tk := h.ticketAPI(t, "POST", "/tickets", supervisorToken, `{"category":"complaint","description":"voltage drops at night",`+
		`"caller":"13800000001","call_id":"`+callID+`","owner":"1002","language":"en"}`, http.StatusCreated)
	h.ticketAPI(t, "POST", "/tickets/"+tk.ID+"/answer", supervisorToken, `{"note":"transformer checked"}`, 200)
	h.ticketAPI(t, "POST", "/tickets/"+tk.ID+"/close", supervisorToken, "", 200)
	if err := h.srv.Store().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.jump(2 * time.Minute)
	h.srv.tickets.Sweep()
	visitAnswered(t, gw, "2", "2")
	v := h.waitTicket(t, tk.ID, func(v ticketView) bool { return v.State == "reopened" })
	if v.Satisfaction != 2 || v.Resolved != "no" || v.Reopened != 1 {
		t.Fatalf("after a not-resolved visit %+v", v)
	}
	if a, _ := h.srv.tickets.PreferredAgent("13800000001", true); a != "1002" {
		t.Fatalf("the returning caller is not routed to the owner: %q", a)
	}
	if got := h.metric("hotline_tickets_reopened_total"); got != 1 {
		t.Errorf("reopened %v", got)
	}
}

// TestReturnVisitToANumberOffTheAllowListIsNeverDialled: the dial policy
// refuses the number; the trunk sees no INVITE and the visit is refused
// for good.
func TestReturnVisitToANumberOffTheAllowListIsNeverDialled(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h, clock := startTickets(t, gw, func(cfg *config.Config) {
		cfg.CallbackGateway.AllowedNumbers = []string{`139\d{8}`}
	})
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	callID := h.servedCall(t, agent)
	tk := h.ticketAPI(t, "POST", "/tickets", supervisorToken, `{"category":"complaint","description":"x",`+
		`"caller":"13800000001","call_id":"`+callID+`","owner":"1001"}`, http.StatusCreated)
	h.closeForReturnVisit(t, clock, tk.ID, `{"note":"answered"}`)
	v := h.waitTicket(t, tk.ID, func(v ticketView) bool { return v.VisitState == "refused" })
	if v.State != "closed" {
		t.Fatalf("refused visit left the ticket %+v", v)
	}
	select {
	case c := <-gw.Incoming():
		t.Fatalf("the trunk was dialled: %v", c.CallID())
	case <-time.After(500 * time.Millisecond):
	}
	if got := h.metric("hotline_ticket_return_visits_total", "result", "refused"); got != 1 {
		t.Errorf("refused return visits %v", got)
	}
}

// TestReturningCallerWithAnOpenTicketGoesToItsOwner: the owner of the
// caller's open ticket is offered the call first, over the agent idle
// longest.
func TestReturningCallerWithAnOpenTicketGoesToItsOwner(t *testing.T) {
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h, _ := startTickets(t, gw, nil)
	h.agentPhone("1001", "pw1001", testphone.AutoAnswer) // idle longest
	a2 := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	h.ticketAPI(t, "POST", "/tickets", supervisorToken, `{"category":"complaint","description":"bill too high",`+
		`"caller":"13800000001","owner":"1002"}`, http.StatusCreated)
	_, id := h.dialAndPress("0")
	offer := h.events.wait(t, id, "offer", func(e call.Event) bool { return e.Kind == call.AgentOffered })
	if offer.Agent != "1002" || offer.Reason != "sticky" {
		t.Fatalf("offered to %s (%q), want the ticket's owner 1002 over longer-idle 1001", offer.Agent, offer.Reason)
	}
	h.agentAnswers(a2, id, "1002")
}

// TestOverdueTicketEscalatesThroughASignedWebhook: an urgent ticket left
// unanswered past its 2-hour deadline is posted, signed, to the webhook
// subscribed to ticket_overdue, and counted.
func TestOverdueTicketEscalatesThroughASignedWebhook(t *testing.T) {
	rx := &workOrderReceiver{}
	srv := httptest.NewServer(rx)
	defer srv.Close()
	const secret = "ticket-webhook-secret"
	gw := gatewayPhone(t, testphone.AutoAnswer)
	h, clock := startTickets(t, gw, func(cfg *config.Config) {
		cfg.Webhooks = []config.Webhook{{URL: srv.URL, Secret: secret, Kinds: []string{"ticket_overdue"}, Timeout: 2 * time.Second}}
	})
	tk := h.ticketAPI(t, "POST", "/tickets", supervisorToken, `{"category":"complaint","urgency":"urgent",`+
		`"description":"sparks at the meter","caller":"13800000001"}`, http.StatusCreated)
	clock.jump(119 * time.Minute)
	h.srv.tickets.Sweep()
	if got := h.metric("hotline_tickets_overdue"); got != 0 {
		t.Fatalf("overdue before the deadline: %v", got)
	}
	clock.jump(2 * time.Minute)
	h.srv.tickets.Sweep()
	h.srv.tickets.Sweep() // escalates once
	if got := h.metric("hotline_tickets_overdue"); got != 1 {
		t.Fatalf("overdue after the deadline: %v", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rx.mu.Lock()
		n := len(rx.bodies)
		rx.mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a second post would have come by now
	rx.mu.Lock()
	defer rx.mu.Unlock()
	if len(rx.bodies) != 1 {
		t.Fatalf("webhook got %d posts, want 1", len(rx.bodies))
	}
	body := rx.bodies[0]
	if rx.sigs[0] != "sha256="+signedhttp.Sign([]byte(secret), body) || rx.events[0] != "ticket_overdue" {
		t.Fatalf("signature %q event %q", rx.sigs[0], rx.events[0])
	}
	var ev struct{ Kind, Detail, State, Category string }
	if err := json.Unmarshal(body, &ev); err != nil || ev.Kind != "ticket_overdue" || ev.Detail != tk.ID ||
		ev.State != "open" || ev.Category != "complaint" {
		t.Fatalf("webhook body %s (%v)", body, err)
	}
	if got := h.metric("hotline_tickets_escalated_total", "category", "complaint"); got != 1 {
		t.Errorf("escalated %v", got)
	}
}

// TestAgentMakesTheReturnVisitFromThePanel: Call on the panel rings the
// agent's phone, then the customer through the trunk, and bridges them;
// the agent then records the customer's answers with the same form.
func TestAgentMakesTheReturnVisitFromThePanel(t *testing.T) {
	h, _, gw, agent, panel := startTicketDesk(t)
	callID := h.servedCall(t, agent)
	h.flushStore()
	tk := h.ticketAPI(t, "POST", "/tickets", agentToken, `{"category":"complaint","description":"late bill",`+
		`"caller":"13800000001","call_id":"`+callID+`","owner":"1001"}`, http.StatusCreated)
	h.ticketAPI(t, "POST", "/tickets/"+tk.ID+"/answer", agentToken, `{"note":"bill reissued"}`, 200)
	h.ticketAPI(t, "POST", "/tickets/"+tk.ID+"/close", agentToken, "", 200)

	panelRequest(t, panel, "POST", "/agent/api/tickets/"+tk.ID+"/call", "", http.StatusAccepted, nil)
	leg := waitIncoming(t, agent)
	if got := leg.RemoteUser(); got != "ticket-"+tk.ID {
		t.Errorf("the agent's phone shows %q, want the ticket", got)
	}
	cust := waitIncoming(t, gw)
	agentTalksAndHangsUp(t, leg, cust)
	var v ticketView
	panelRequest(t, panel, "POST", "/agent/api/tickets/"+tk.ID+"/return_visit", `{"satisfaction":4,"resolved":true,"note":"happy"}`,
		http.StatusOK, &v)
	if v.State != "return_visited" || v.Satisfaction != 4 || v.VisitState != "done" {
		t.Fatalf("after the return visit by hand %+v", v)
	}
}

// TestReturnVisitGoesOutThroughTheCarriersTrunk: with
// callback_gateway.trunks, the return visit is dialled through the trunk
// (a Go test phone as the carrier) in the trunk's number format.
func TestReturnVisitGoesOutThroughTheCarriersTrunk(t *testing.T) {
	carrier := gatewayPhone(t, testphone.AutoAnswer)
	h, clock := startTickets(t, carrier, func(cfg *config.Config) {
		cfg.CallbackGateway.URI = ""
		cfg.CallbackGateway.Trunks = []string{"carrier"}
		cfg.Trunks = []config.Trunk{{Name: "carrier", Addresses: []string{carrier.Addr()}, CountryCode: "86",
			Outbound: config.NumberRule{Format: "e164"}, OptionsInterval: time.Hour, DownAfter: 3}}
	})
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	callID := h.servedCall(t, agent)
	h.flushStore()
	tk := h.ticketAPI(t, "POST", "/tickets", agentToken, `{"category":"complaint","description":"x",`+
		`"caller":"13800000001","call_id":"`+callID+`","owner":"1001"}`, http.StatusCreated)
	h.closeForReturnVisit(t, clock, tk.ID, `{"note":"fixed"}`)
	cust := waitIncoming(t, carrier)
	select {
	case o := <-carrier.Offers():
		if o.To != "+8613800000001" {
			t.Fatalf("the trunk was asked for %q, want the E.164 number", o.To)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no INVITE outcome at the trunk")
	}
	heard(t, cust, 25, "the return visit's greeting")
	press(t, cust, "4")
	heard(t, cust, 25, "the question whether it is resolved")
	press(t, cust, "1")
	v := h.waitTicket(t, tk.ID, func(v ticketView) bool { return v.State == "return_visited" })
	if v.Satisfaction != 4 || v.Resolved != "yes" {
		t.Fatalf("after the visit through the trunk %+v", v)
	}
}
