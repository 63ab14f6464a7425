package tickets

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/dialpolicy"
)

func TestNextCallingTimeKeepsToCallingHours(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sh) }
	cases := []struct{ in, want time.Time }{
		{at(23, 7, 30), at(23, 9, 0)},
		{at(23, 9, 0), at(23, 9, 0)},
		{at(23, 19, 59), at(23, 19, 59)},
		{at(23, 20, 0), at(24, 9, 0)},
		{at(23, 23, 10), at(24, 9, 0)},
		{at(30, 21, 0), time.Date(2026, 12, 1, 9, 0, 0, 0, sh)},
	}
	for _, c := range cases {
		if got := NextCallingTime(c.in, 9*60, 20*60, sh); !got.Equal(c.want) {
			t.Errorf("NextCallingTime(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// visitDue closes a ticket at 21:00 local (outside calling hours) and
// checks the visit is due 3 days later at 09:00.
func TestReturnVisitScheduledAfterTheDelayWithinCallingHours(t *testing.T) {
	d := &scriptedDialer{}
	e := newEnv(t, nil, d)
	tk := e.open(t, "complaint", Normal)
	e.clock.Advance(11 * time.Hour) // 21:00 in Shanghai
	closed := e.closeAnswered(t, tk.ID)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	want := time.Date(2026, 11, 27, 9, 0, 0, 0, sh)
	if closed.VisitState != VisitPending || !closed.VisitDue.Equal(want) {
		t.Fatalf("visit %s due %v, want pending at %v (3 days, calling hours)", closed.VisitState, closed.VisitDue, want)
	}
	sugg := e.open(t, "suggestion", Normal)
	if c := e.closeAnswered(t, sugg.ID); !c.VisitDue.Equal(want.Add(4 * 24 * time.Hour)) {
		t.Fatalf("suggestion visit due %v, want 7 days", c.VisitDue)
	}
	e.clock.Set(want.Add(-time.Minute))
	e.svc.Sweep()
	e.svc.Wait()
	if n := len(d.made()); n != 0 {
		t.Fatalf("%d calls before the visit is due", n)
	}
}

func TestReturnVisitAnsweredSatisfiedAndNotResolved(t *testing.T) {
	d := &scriptedDialer{script: []visitOutcome{
		{ans: VisitAnswers{Satisfaction: 5, Resolved: true, CallID: "rv-call-1"}},
		{ans: VisitAnswers{Satisfaction: 2, Resolved: false, CallID: "rv-call-2"}},
	}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	}, d)
	happy := e.open(t, "complaint", Normal)
	e.closeAnswered(t, happy.ID)
	e.clock.Advance(61 * time.Minute)
	e.svc.Sweep()
	e.svc.Wait()
	row, history := e.stored(t, happy.ID)
	if row.State != string(ReturnVisited) || row.Satisfaction != 5 || row.Resolved != "yes" ||
		row.VisitState != VisitDone || row.CallIDs[len(row.CallIDs)-1] != "rv-call-1" {
		t.Fatalf("after a satisfied visit: %+v", row)
	}
	if last := history[len(history)-1]; last.Actor != visitActor || last.To != string(ReturnVisited) {
		t.Fatalf("last history %+v", last)
	}

	unhappy := e.open(t, "complaint", Urgent)
	e.closeAnswered(t, unhappy.ID)
	e.clock.Advance(61 * time.Minute)
	e.svc.Sweep()
	e.svc.Wait()
	row, _ = e.stored(t, unhappy.ID)
	if row.State != string(Reopened) || row.Reopened != 1 || row.Resolved != "no" || row.Satisfaction != 2 ||
		!row.Closed.IsZero() || !row.Due.Equal(e.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("after a not-resolved visit: %+v", row)
	}
	if a, _ := e.svc.PreferredAgent("13800000001", true); a != "1001" {
		t.Fatalf("reopened ticket's owner not preferred: %q", a)
	}
	calls := d.made()
	if len(calls) != 2 || calls[0].Number != "13800000001" || calls[0].Language != "en" || calls[0].Attempt != 1 {
		t.Fatalf("calls %+v", calls)
	}
}

func TestReturnVisitRetriesThenGivesUp(t *testing.T) {
	unanswered := visitOutcome{err: fmt.Errorf("%w: 486", ErrVisitUnanswered)}
	d := &scriptedDialer{script: []visitOutcome{unanswered, unanswered, unanswered}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
		c.Tickets.ReturnVisit.RetryAfter = 30 * time.Minute
	}, d)
	tk := e.open(t, "complaint", Normal)
	e.closeAnswered(t, tk.ID)
	for attempt := 1; attempt <= 3; attempt++ {
		e.clock.Advance(20 * time.Minute)
		e.svc.Sweep() // not due yet
		e.svc.Wait()
		e.clock.Advance(45 * time.Minute)
		e.svc.Sweep()
		e.svc.Wait()
		if n := len(d.made()); n != attempt {
			t.Fatalf("after attempt %d: %d calls", attempt, n)
		}
	}
	row, _ := e.stored(t, tk.ID)
	if row.VisitState != VisitGaveUp || row.VisitAttempts != 3 || row.State != string(Closed) {
		t.Fatalf("after 3 unanswered attempts: %+v", row)
	}
	e.clock.Advance(24 * time.Hour)
	e.svc.Sweep()
	e.svc.Wait()
	if n := len(d.made()); n != 3 {
		t.Fatalf("%d calls after giving up", n)
	}
}

func TestRefusedReturnVisitIsNeverRetried(t *testing.T) {
	refused := visitOutcome{err: fmt.Errorf("%w: %w", ErrVisitRefused, &dialpolicy.Refusal{Reason: dialpolicy.NotAllowed})}
	d := &scriptedDialer{script: []visitOutcome{refused}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	}, d)
	tk := e.open(t, "complaint", Normal)
	e.closeAnswered(t, tk.ID)
	for range 3 {
		e.clock.Advance(3 * time.Hour)
		e.svc.Sweep()
		e.svc.Wait()
	}
	row, _ := e.stored(t, tk.ID)
	if n := len(d.made()); n != 1 || row.VisitState != VisitRefused {
		t.Fatalf("%d calls, visit %s: want 1 refused and no retry", n, row.VisitState)
	}
}

func TestNoReturnVisitOutsideCallingHours(t *testing.T) {
	d := &scriptedDialer{script: []visitOutcome{{ans: VisitAnswers{Satisfaction: 4, Resolved: true}}}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	}, d)
	tk := e.open(t, "complaint", Normal)
	e.closeAnswered(t, tk.ID)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	e.clock.Set(time.Date(2026, 11, 23, 22, 30, 0, 0, sh)) // due since 11:00, but now 22:30
	e.svc.Sweep()
	e.svc.Wait()
	if n := len(d.made()); n != 0 {
		t.Fatalf("%d calls at 22:30", n)
	}
	e.clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, sh))
	e.svc.Sweep()
	e.svc.Wait()
	if n := len(d.made()); n != 1 {
		t.Fatalf("%d calls at 09:00 the next day, want 1", n)
	}
}

// A restart keeps the tickets being followed: their deadlines escalate
// and their return visits are made by the next run.
func TestActiveTicketsSurviveARestart(t *testing.T) {
	d := &scriptedDialer{script: []visitOutcome{{ans: VisitAnswers{Satisfaction: 4, Resolved: true}}}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	}, d)
	closed := e.open(t, "complaint", Normal)
	e.closeAnswered(t, closed.ID)
	urgent := e.open(t, "complaint", Urgent)
	e.svc.Close()
	// A stopping server drains the store's queue before it exits; the
	// next run reads what was written.
	if err := e.store.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	cfg := config.Default()
	cfg.Database.ReportTimezone = "Asia/Shanghai"
	cfg.Tickets.ReturnVisit.Enabled = true
	cfg.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	ev := &events{}
	again, err := New(cfg, Deps{Store: e.store, Publish: ev.publish, Clock: e.clock, Visits: d})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.OpenFor("13800000001"); len(got) != 1 || got[0].ID != urgent.ID {
		t.Fatalf("open tickets after the restart %+v", got)
	}
	e.clock.Advance(3 * time.Hour)
	again.Sweep()
	again.Wait()
	if n := len(ev.of(call.TicketOverdue)); n != 1 {
		t.Fatalf("%d escalations after the restart, want 1", n)
	}
	if n := len(d.made()); n != 1 {
		t.Fatalf("%d return visits after the restart, want 1", n)
	}
	row, history := e.stored(t, closed.ID)
	if row.State != string(ReturnVisited) || len(history) != 5 || history[0].Action != string(ActCreate) {
		t.Fatalf("visited ticket %+v, history %+v", row, history)
	}
	if v, err := again.Get(context.Background(), urgent.ID); err != nil || len(v.History) != 2 ||
		v.History[0].Action != string(ActCreate) || v.History[1].Action != string(ActEscalate) || v.History[1].Seq != 2 {
		t.Fatalf("history kept across the restart: %+v, %v", v.History, err)
	}
}

// A number that did not come from a trusted network (no trusted call
// vouches for it) is kept on the ticket and never dialled.
func TestAClaimedNumberGetsNoReturnVisit(t *testing.T) {
	d := &scriptedDialer{script: []visitOutcome{{ans: VisitAnswers{Satisfaction: 5, Resolved: true}}}}
	e := newEnv(t, func(c *config.Config) {
		c.Tickets.ReturnVisit.Delays = map[string]time.Duration{"complaint": time.Hour}
	}, d)
	e.svc.NoteCall("call-2", "13800000002", false) // untrusted: not noted
	e.svc.NoteCall("call-3", "13800000003", true)
	for _, n := range []NewTicket{
		{Caller: "13800000002", CallID: "call-2"}, // from an untrusted source
		{Caller: "13800000009", CallID: "call-3"}, // the trusted call was another number's
		{Caller: "13800000004"},                   // no call at all (API)
	} {
		n.Category, n.Description, n.Owner = "complaint", "x", "1001"
		tk, err := e.svc.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if tk.CallerTrusted {
			t.Fatalf("%+v trusted", n)
		}
		e.apply(t, tk.ID, Change{Action: ActAnswer, Note: "done"})
		if c := e.apply(t, tk.ID, Change{Action: ActClose}); c.VisitState != VisitRefused {
			t.Fatalf("%+v: visit %q, want refused", n, c.VisitState)
		}
	}
	e.clock.Advance(2 * time.Hour)
	e.svc.Sweep()
	e.svc.Wait()
	if n := len(d.made()); n != 0 {
		t.Fatalf("%d calls to claimed numbers", n)
	}
}
