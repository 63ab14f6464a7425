package tickets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/signedhttp"
	"github.com/hotline-oss/hotline/web"
)

func TestTicketLifeIsStoredWithItsHistory(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "complaint", Normal)
	if tk.State != string(Open) || tk.Due != monday10.Add(24*time.Hour) || tk.ID == "" {
		t.Fatalf("new ticket %+v: want open, due in 24h", tk)
	}
	e.clock.Advance(10 * time.Minute)
	e.apply(t, tk.ID, Change{Action: ActAssign, Owner: "1002", Actor: "supervisor"})
	e.clock.Advance(time.Hour)
	e.apply(t, tk.ID, Change{Action: ActAnswer, Note: "crew sent"})
	e.clock.Advance(time.Hour)
	closed := e.apply(t, tk.ID, Change{Action: ActClose})
	if closed.State != string(Closed) || !closed.Closed.Equal(e.clock.Now()) || closed.Owner != "1002" {
		t.Fatalf("closed ticket %+v", closed)
	}

	row, history := e.stored(t, tk.ID)
	if row.State != string(Closed) || row.Version != 4 || row.Caller != "13800000001" ||
		row.Account != "1001234567" || !slices.Equal(row.CallIDs, []string{"call-1"}) {
		t.Fatalf("stored row %+v", row)
	}
	var steps []string
	for _, h := range history {
		steps = append(steps, h.Action+":"+h.From+">"+h.To+"@"+h.Actor)
	}
	want := []string{"create:>open@agent:1001", "assign:open>assigned@supervisor",
		"answer:assigned>answered@agent:1001", "close:answered>closed@agent:1001"}
	if !slices.Equal(steps, want) {
		t.Fatalf("history %v, want %v", steps, want)
	}
	if history[2].Note != "crew sent" || !history[1].At.Equal(monday10.Add(10*time.Minute)) {
		t.Fatalf("history keeps no note or time: %+v", history)
	}
	if got := len(e.events.of(call.TicketChanged)); got != 3 {
		t.Fatalf("%d ticket_changed events, want 3", got)
	}
	if ev := e.events.of(call.TicketOpened); len(ev) != 1 || ev[0].Detail != tk.ID || ev[0].Category != "complaint" {
		t.Fatalf("ticket_opened events %+v", ev)
	}
}

func TestDisallowedChangesAreConflictsAndChangeNothing(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "complaint", Normal)
	_, err := e.svc.Apply(context.Background(), tk.ID, Change{Action: ActClose, Actor: "agent:1001"})
	wantConflict(t, err, "the customer has not been answered yet")
	yes := true
	_, err = e.svc.Apply(context.Background(), tk.ID, Change{Action: ActReturnVisit, Satisfaction: 5, Resolved: &yes})
	wantConflict(t, err, "a return visit is made only on a closed ticket")
	_, err = e.svc.Apply(context.Background(), tk.ID, Change{Action: ActAssign})
	if !errors.Is(err, web.ErrInvalid) {
		t.Fatalf("assign without owner: %v, want invalid", err)
	}
	_, err = e.svc.Apply(context.Background(), "T-NOPE", Change{Action: ActNote, Note: "x"})
	if !errors.Is(err, web.ErrNotFound) {
		t.Fatalf("unknown ticket: %v", err)
	}
	row, history := e.stored(t, tk.ID)
	if row.Version != 1 || row.State != string(Open) || len(history) != 1 {
		t.Fatalf("a refused change was written: %+v %+v", row, history)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	e := newEnv(t, nil, nil)
	for _, n := range []NewTicket{
		{Category: "praise", Description: "x"},
		{Category: "complaint", Urgency: "soon", Description: "x"},
		{Category: "complaint", Description: "   "},
	} {
		if _, err := e.svc.Create(n); !errors.Is(err, web.ErrInvalid) {
			t.Errorf("%+v: err %v, want invalid", n, err)
		}
	}
}

func TestOverdueTicketsEscalateOnceWithTheInjectedClock(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.Deadlines = map[string]config.TicketDeadline{"fault": {Urgent: 30 * time.Minute}}
	}, nil)
	urgent := e.open(t, "complaint", Urgent)
	normal := e.open(t, "complaint", Normal)
	fault := e.open(t, "fault", Urgent)
	answered := e.open(t, "complaint", Urgent)
	e.apply(t, answered.ID, Change{Action: ActAssign, Owner: "1001"})
	e.apply(t, answered.ID, Change{Action: ActAnswer, Note: "called back"})

	e.clock.Advance(31 * time.Minute)
	e.svc.Sweep()
	if ev := e.events.of(call.TicketOverdue); len(ev) != 1 || ev[0].Detail != fault.ID {
		t.Fatalf("after 31m overdue events %+v, want the fault ticket (30m deadline)", ev)
	}
	e.clock.Advance(90 * time.Minute) // 2h01m
	e.svc.Sweep()
	e.svc.Sweep() // once each
	ev := e.events.of(call.TicketOverdue)
	if len(ev) != 2 || ev[1].Detail != urgent.ID {
		t.Fatalf("after 2h overdue events %+v, want the urgent complaint too", ev)
	}
	if n, open := e.svc.Counts(); n != 2 || open != 4 {
		t.Fatalf("counts overdue %d open %d, want 2 and 4", n, open)
	}
	e.clock.Advance(22 * time.Hour)
	e.svc.Sweep()
	if ev := e.events.of(call.TicketOverdue); len(ev) != 3 || ev[2].Detail != normal.ID {
		t.Fatalf("after 24h overdue events %+v", ev)
	}
	row, history := e.stored(t, urgent.ID)
	if row.Escalated.IsZero() || history[len(history)-1].Action != string(ActEscalate) {
		t.Fatalf("escalation not stored: %+v", row)
	}
	overdueRows, err := e.store.ListTickets(context.Background(), storeFilterOverdue(e.clock.Now()))
	if err != nil || len(overdueRows) != 3 {
		t.Fatalf("overdue listing %d, %v; want 3", len(overdueRows), err)
	}
	if got := e.svc.countOverdue(); got != 3 {
		t.Fatalf("overdue gauge %v, want 3", got)
	}
}

func TestSyncNeedsTheSignature(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "fault", Normal)
	body := []byte(`{"ticket":"` + tk.ID + `","external_id":"WO-77","action":"assign","owner":"crew-4","note":"crew 4 dispatched"}`)
	for _, sig := range []string{"", "sha256=00", "sha256=" + signedhttp.Sign([]byte("wrong-secret-456789"), body)} {
		if _, err := e.svc.SyncTicket(context.Background(), body, sig); !errors.Is(err, web.ErrUnauthorized) {
			t.Fatalf("signature %q: %v, want unauthorized", sig, err)
		}
	}
	if row, _ := e.stored(t, tk.ID); row.Version != 1 || row.ExternalID != "" {
		t.Fatalf("a refused update changed the ticket: %+v", row)
	}
	good := "sha256=" + signedhttp.Sign([]byte("work-order-secret-123"), body)
	if _, err := e.svc.SyncTicket(context.Background(), body, good); err != nil {
		t.Fatal(err)
	}
	row, history := e.stored(t, tk.ID)
	if row.State != string(Assigned) || row.Owner != "crew-4" || row.ExternalID != "WO-77" ||
		history[1].Actor != "work-order-system" {
		t.Fatalf("after sync %+v %+v", row, history)
	}
	// Later updates may name the work order only.
	body = []byte(`{"external_id":"WO-77","action":"answer","note":"line repaired"}`)
	if _, err := e.svc.SyncTicket(context.Background(), body, "sha256="+signedhttp.Sign([]byte("work-order-secret-123"), body)); err != nil {
		t.Fatal(err)
	}
	if row, _ := e.stored(t, tk.ID); row.State != string(Answered) {
		t.Fatalf("state %s after the answer from the work-order system", row.State)
	}
}

func TestReturningCallerIsRoutedToTheOwner(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "complaint", Normal)
	if a, _ := e.svc.PreferredAgent("13800000001", true); a != "" {
		t.Fatalf("preferred %q before anyone owns the ticket", a)
	}
	e.apply(t, tk.ID, Change{Action: ActAssign, Owner: "1002"})
	if a, g := e.svc.PreferredAgent("13800000001", true); a != "1002" || g != config.DefaultTicketOwnerGrace {
		t.Fatalf("preferred %q for %v, want 1002", a, g)
	}
	if a, _ := e.svc.PreferredAgent("13800000001", false); a != "" {
		t.Fatalf("an untrusted caller number picked agent %q", a)
	}
	e.apply(t, tk.ID, Change{Action: ActAnswer, Note: "done"})
	e.apply(t, tk.ID, Change{Action: ActClose})
	if a, _ := e.svc.PreferredAgent("13800000001", true); a != "" {
		t.Fatalf("preferred %q after the ticket closed", a)
	}
}

// A ticket that leaves memory (return-visited) reads back as changed at
// once, before the writer has written it.
func TestAFinishedTicketReadsBackAsChanged(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "complaint", Normal)
	e.closeAnswered(t, tk.ID)
	yes := true
	e.apply(t, tk.ID, Change{Action: ActReturnVisit, Satisfaction: 4, Resolved: &yes})
	v, err := e.svc.Get(context.Background(), tk.ID)
	if err != nil || v.State != string(ReturnVisited) || len(v.History) != 5 {
		t.Fatalf("read back %+v, %v", v, err)
	}
	if err := e.store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.List(context.Background(), web.TicketQuery{States: []string{string(ReturnVisited)}})
	if err != nil || len(page.Tickets) != 1 || page.Tickets[0].ID != tk.ID || page.Tickets[0].Satisfaction != 4 {
		t.Fatalf("listing %+v, %v", page, err)
	}
	// Reopened from return_visited, it is followed again.
	e.apply(t, tk.ID, Change{Action: ActReopen, Note: "called again: the meter still double counts"})
	if got := e.svc.OpenFor("13800000001"); len(got) != 1 || got[0].State != string(Reopened) {
		t.Fatalf("after reopening: %+v", got)
	}
}

func TestAFaultReportOpensAFaultTicket(t *testing.T) {
	e := newEnv(t, nil, nil)
	e.svc.FaultFiled(FaultReport{CallID: "call-9", Caller: "13800000009", Account: "1001234567",
		Recording: "20261123T101502.123-call-9.wav", WorkOrder: "F20261123-0001", Language: "zh", CallerTrusted: true})
	e.svc.Wait()
	open := e.svc.OpenFor("13800000009")
	if len(open) != 1 {
		t.Fatalf("open tickets %+v", open)
	}
	tk := open[0]
	if tk.Category != FaultCategory || tk.State != string(Open) || tk.WorkOrder != "F20261123-0001" ||
		tk.Account != "1001234567" || tk.Recording == "" || !tk.CallerTrusted || tk.CreatedBy != "ivr" ||
		!strings.Contains(tk.Description, "F20261123-0001") {
		t.Fatalf("fault ticket %+v", tk)
	}
}

func TestSyncRefusals(t *testing.T) {
	e := newEnv(t, nil, nil)
	tk := e.open(t, "fault", Normal)
	sign := func(body string) string {
		return "sha256=" + signedhttp.Sign([]byte("work-order-secret-123"), []byte(body))
	}
	for _, c := range []struct {
		body string
		want error
	}{
		{`{"external_id":"WO-404","action":"note","note":"x"}`, web.ErrNotFound},
		{`{"ticket":"` + tk.ID + `","action":"close"}`, web.ErrConflict},
		{`{"ticket":"` + tk.ID + `","action":"explode"}`, web.ErrInvalid},
		{`{"ticket":"` + tk.ID + `","colour":"red"}`, web.ErrInvalid},
		{`{"action":"note"}`, web.ErrInvalid},
	} {
		if _, err := e.svc.SyncTicket(context.Background(), []byte(c.body), sign(c.body)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.body, err, c.want)
		}
	}
	off := newEnv(t, func(c *config.Config) { c.Tickets.SyncSecret = "" }, nil)
	if _, err := off.svc.SyncTicket(context.Background(), []byte(`{}`), "sha256=x"); !errors.Is(err, web.ErrNotFound) {
		t.Errorf("sync without a secret: %v, want not found", err)
	}
}

type agentCalls struct{ asked []string }

func (a *agentCalls) CallForAgent(_ context.Context, agent, number, id string) error {
	a.asked = append(a.asked, agent+" "+number+" "+id)
	return nil
}

func TestClickToCallOnlyToATrustedNumber(t *testing.T) {
	e := newEnv(t, nil, nil)
	calls := &agentCalls{}
	e.svc.deps.AgentCalls = calls
	trusted := e.open(t, "complaint", Normal)
	claimed, err := e.svc.Create(NewTicket{Category: "complaint", Description: "x", Caller: "13800000007"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CallCustomer(context.Background(), claimed.ID, "1001"); !errors.Is(err, web.ErrUnprocessable) {
		t.Fatalf("call to a claimed number: %v", err)
	}
	if err := e.svc.CallCustomer(context.Background(), trusted.ID, "1001"); err != nil {
		t.Fatal(err)
	}
	if len(calls.asked) != 1 || calls.asked[0] != "1001 13800000001 "+trusted.ID {
		t.Fatalf("calls placed %q", calls.asked)
	}
}
