package tickets

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
)

// sharedNode is a second process on the env's database, as a cluster's
// node is: it shares the tickets and sweeps only while it leads.
func sharedNode(t *testing.T, e *env, leads *atomic.Bool) (*Service, *events) {
	t.Helper()
	cfg := config.Default()
	cfg.Database.ReportTimezone = "Asia/Shanghai"
	ev := &events{}
	svc, err := New(cfg, Deps{
		Store: e.store, Publish: ev.publish, Clock: e.clock, Shared: true, Leads: leads.Load,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc, ev
}

// TestSharedTicketsAreEscalatedOnceByTheLeader: two processes on one
// database, as two nodes of a cluster. A ticket opened on one is followed
// by the other after a tick; only the leading one escalates it, once,
// and the other, leading later, does not escalate it again. A change made
// on the follower applies to the version the leader wrote.
func TestSharedTicketsAreEscalatedOnceByTheLeader(t *testing.T) {
	e := newEnv(t, nil, nil)
	var aLeads, bLeads atomic.Bool
	aLeads.Store(true)
	e.svc.deps.Shared, e.svc.deps.Leads = true, aLeads.Load
	b, bEvents := sharedNode(t, e, &bLeads)
	ctx := context.Background()

	tk := e.open(t, "complaint", Urgent)
	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	b.tick()
	if got := b.OpenFor(tk.Caller); len(got) != 1 || got[0].ID != tk.ID {
		t.Fatalf("the other node follows %+v, want %s", got, tk.ID)
	}

	e.clock.Advance(3 * time.Hour) // past the urgent deadline
	b.tick()
	if n := len(bEvents.of(call.TicketOverdue)); n != 0 {
		t.Fatalf("a node that does not lead escalated %d tickets", n)
	}
	e.svc.tick()
	e.svc.tick()
	if n := len(e.events.of(call.TicketOverdue)); n != 1 {
		t.Fatalf("the leader escalated %d times, want once", n)
	}
	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// The leadership moves: the new leader knows the ticket was escalated.
	aLeads.Store(false)
	bLeads.Store(true)
	b.tick()
	if n := len(bEvents.of(call.TicketOverdue)); n != 0 {
		t.Fatalf("the next leader escalated the same ticket again (%d)", n)
	}

	// The follower's change lands on top of the leader's escalation.
	got, err := b.Apply(ctx, tk.ID, Change{Action: ActAssign, Owner: "1002", Actor: "sup"})
	if err != nil {
		t.Fatal(err)
	}
	stored, history := e.stored(t, tk.ID)
	if stored.Version != got.Version || stored.Owner != "1002" || stored.Escalated.IsZero() {
		t.Fatalf("stored %+v after the follower's change (version %d)", stored, got.Version)
	}
	if last := history[len(history)-1]; last.Action != string(ActAssign) || len(history) != 3 {
		t.Fatalf("history %+v, want create, escalate, assign", history)
	}

	// Closed elsewhere: the other node stops following it.
	e.svc.tick()
	if _, err := e.svc.Apply(ctx, tk.ID, Change{Action: ActAnswer, Note: "crew sent", Actor: "agent:1002"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Apply(ctx, tk.ID, Change{Action: ActClose, Note: "done", Actor: "agent:1002"}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(SweepEvery)
	b.tick()
	if got := b.OpenFor(tk.Caller); len(got) != 0 {
		t.Fatalf("the other node still follows %+v after the ticket closed", got)
	}
}
