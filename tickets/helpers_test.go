package tickets

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/web"
)

// monday10 is a Monday 10:00 in Asia/Shanghai, within calling hours.
var monday10 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// events keeps what the service published.
type events struct {
	mu   sync.Mutex
	list []call.Event
}

func (e *events) publish(ev call.Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

func (e *events) of(kind call.Kind) []call.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []call.Event
	for _, ev := range e.list {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

type env struct {
	svc    *Service
	clock  *testclock.Clock
	store  *store.Store
	events *events
}

// newEnv runs the service on a fresh SQLite store, with a hand-moved
// clock and dialer (nil: no return-visit calls).
func newEnv(t *testing.T, edit func(*config.Config), dialer Dialer) *env {
	t.Helper()
	cfg := config.Default()
	cfg.Database.ReportTimezone = "Asia/Shanghai"
	cfg.Tickets.ReturnVisit.Enabled = dialer != nil
	cfg.Tickets.SyncSecret = "work-order-secret-123"
	if edit != nil {
		edit(cfg)
	}
	clock := testclock.At(monday10)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir(), Logger: log, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	ev := &events{}
	deps := Deps{Store: st, Publish: ev.publish, Clock: clock, Log: log}
	if dialer != nil {
		deps.Visits = dialer
	}
	svc, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return &env{svc: svc, clock: clock, store: st, events: ev}
}

func (e *env) open(t *testing.T, category, urgency string) store.Ticket {
	t.Helper()
	e.svc.NoteCall("call-1", "13800000001", true) // the call came from the carrier's side
	tk, err := e.svc.Create(NewTicket{
		Category: category, Urgency: urgency, Description: "no power since this morning",
		Caller: "13800000001", Account: "1001234567", CallID: "call-1", Language: "en", Actor: "agent:1001",
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (e *env) apply(t *testing.T, id string, c Change) store.Ticket {
	t.Helper()
	if c.Actor == "" {
		c.Actor = "agent:1001"
	}
	tk, err := e.svc.Apply(context.Background(), id, c)
	if err != nil {
		t.Fatalf("%s: %v", c.Action, err)
	}
	return tk
}

// closeAnswered takes a fresh ticket through assign and answer to closed.
func (e *env) closeAnswered(t *testing.T, id string) store.Ticket {
	t.Helper()
	e.apply(t, id, Change{Action: ActAssign, Owner: "1001"})
	e.apply(t, id, Change{Action: ActAnswer, Note: "crew sent, power back at 14:00"})
	return e.apply(t, id, Change{Action: ActClose, Note: "confirmed with the customer"})
}

// stored reads a ticket back from the database.
func (e *env) stored(t *testing.T, id string) (store.Ticket, []store.TicketChange) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	tk, h, found, err := e.store.GetTicket(ctx, id)
	if err != nil || !found {
		t.Fatalf("ticket %s in the store: found %v, %v", id, found, err)
	}
	return tk, h
}

// scriptedDialer answers return visits from a script, one entry per call.
type scriptedDialer struct {
	mu     sync.Mutex
	script []visitOutcome
	calls  []VisitCall
}

type visitOutcome struct {
	ans VisitAnswers
	err error
}

func (d *scriptedDialer) Visit(_ context.Context, c VisitCall) (VisitAnswers, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, c)
	if len(d.script) == 0 {
		return VisitAnswers{}, errors.New("script ran out")
	}
	o := d.script[0]
	d.script = d.script[1:]
	return o.ans, o.err
}

func (d *scriptedDialer) made() []VisitCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]VisitCall(nil), d.calls...)
}

func wantConflict(t *testing.T, err error, reason string) {
	t.Helper()
	if !errors.Is(err, web.ErrConflict) || !errors.Is(err, ErrTransition) {
		t.Fatalf("err = %v, want a lifecycle conflict", err)
	}
	var te *TransitionError
	if !errors.As(err, &te) || te.Reason != reason {
		t.Fatalf("reason = %v, want %q", err, reason)
	}
}

func storeFilterOverdue(now time.Time) store.TicketFilter { return store.TicketFilter{OverdueAt: now} }
