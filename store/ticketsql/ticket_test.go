package ticketsql_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/ticketsql"
)

// ticketAt is a ticket made at created, with a one-step history.
func ticketAt(id, category, state, caller string, created time.Time) ticketsql.Ticket {
	return ticketsql.Ticket{
		ID: id, Version: 1, Category: category, Urgency: "normal", State: state, Caller: caller,
		CallIDs: []string{"call-" + id}, Description: "d " + id, Created: created, Updated: created,
		Due: created.Add(24 * time.Hour),
	}
}

func saveTicket(t *testing.T, s *store.Store, tk ticketsql.Ticket, action string) {
	t.Helper()
	c := &ticketsql.TicketChange{Seq: int(tk.Version), At: tk.Updated, Actor: "tester", Action: action, To: tk.State}
	if _, err := s.SaveTicket(tk, c); err != nil {
		t.Fatal(err)
	}
}

func TestTicketsSaveReadListAndReplay(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		ctx := context.Background()
		base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		a := ticketAt("TA", "complaint", "open", "13800000001", base)
		saveTicket(t, s, a, "create")
		b := ticketAt("TB", "fault", "open", "13800000002", base.Add(time.Hour))
		saveTicket(t, s, b, "create")
		c := ticketAt("TC", "complaint", "open", "13800000001", base.Add(2*time.Hour))
		saveTicket(t, s, c, "create")
		a2 := a
		a2.Version, a2.State, a2.Owner, a2.Updated = 2, "assigned", "1001", base.Add(3*time.Hour)
		saveTicket(t, s, a2, "assign")
		saveTicket(t, s, a, "create") // a replay of the older save changes nothing
		if _, err := s.SaveTicket(ticketsql.Ticket{ID: "x"}, nil); !errors.Is(err, ticketsql.ErrBadTicket) {
			t.Fatalf("bad ticket: %v", err)
		}
		storetest.Flush(t, s)

		got, history, found, err := s.GetTicket(ctx, "TA")
		if err != nil || !found {
			t.Fatalf("get: %v %v", found, err)
		}
		if got.State != "assigned" || got.Owner != "1001" || got.Version != 2 || !got.Created.Equal(base) ||
			!slices.Equal(got.CallIDs, []string{"call-TA"}) || !got.Closed.IsZero() {
			t.Fatalf("TA read back %+v", got)
		}
		if len(history) != 2 || history[1].Action != "assign" {
			t.Fatalf("TA history %+v", history)
		}
		if _, _, found, _ := s.GetTicket(ctx, "nope"); found {
			t.Fatal("unknown ticket found")
		}
		ids := func(f ticketsql.TicketFilter) []string {
			rows, err := s.ListTickets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		for _, c := range []struct {
			f    ticketsql.TicketFilter
			want []string
		}{
			{ticketsql.TicketFilter{}, []string{"TC", "TB", "TA"}},
			{ticketsql.TicketFilter{States: []string{"open"}}, []string{"TC", "TB"}},
			{ticketsql.TicketFilter{States: []string{"open", "assigned"}, Category: "complaint"}, []string{"TC", "TA"}},
			{ticketsql.TicketFilter{Caller: "13800000001"}, []string{"TC", "TA"}},
			{ticketsql.TicketFilter{Owner: "1001"}, []string{"TA"}},
			{ticketsql.TicketFilter{Limit: 2}, []string{"TC", "TB"}},
			{ticketsql.TicketFilter{BeforeCreated: base.Add(time.Hour), BeforeID: "TB"}, []string{"TA"}},
			{ticketsql.TicketFilter{OverdueAt: base.Add(24*time.Hour + 90*time.Minute)}, []string{"TB", "TA"}},
			{ticketsql.TicketFilter{From: base.Add(time.Hour), To: base.Add(2 * time.Hour)}, []string{"TB"}},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("filter %+v: %v, want %v", c.f, got, c.want)
			}
		}
	})
}

func TestTicketFiguresAndRepeatComplainers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		ctx := context.Background()
		base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		for i := range 12 {
			caller := "13800000001"
			if i >= 10 {
				caller = "13800000002"
			}
			tk := ticketAt(fmt.Sprintf("T%02d", i), "complaint", "open", caller, base.Add(time.Duration(i)*time.Hour))
			if i < 4 { // closed after 2h (i<2 answered in time) and 4h
				tk.State, tk.Version = "closed", 2
				tk.Answered = tk.Created.Add(time.Hour)
				if i >= 2 {
					tk.Answered = tk.Created.Add(30 * time.Hour)
				}
				tk.Closed = tk.Created.Add(time.Duration(2+2*(i%2)) * time.Hour)
			}
			saveTicket(t, s, tk, "create")
		}
		for i := range 5 {
			saveTicket(t, s, ticketAt(fmt.Sprintf("S%d", i), "suggestion", "open", "13800000003", base), "create")
		}
		storetest.Flush(t, s)
		end := base.AddDate(0, 1, 0)
		f, err := s.TicketFigures(ctx, base, end, base.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if f.Opened != 17 || f.OpenedByCategory["complaint"] != 12 || f.Closed != 4 || f.ClosedInDeadline != 2 ||
			f.MedianCloseSeconds != 3*3600 || f.Overdue != 13 {
			t.Fatalf("figures %+v", f)
		}
		rc, err := s.RepeatComplainers(ctx, base, end, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc) != 1 || rc[0].Caller != "13800000001" || rc[0].Complaints != 10 || len(rc[0].Tickets) != 10 {
			t.Fatalf("repeat complainers %+v", rc)
		}
	})
}
