package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchTickets is how many generated tickets the listing benchmark runs
// on (HOTLINE_BENCH_TICKETS overrides it for a quicker look).
func benchTickets(b *testing.B) int {
	if v := os.Getenv("HOTLINE_BENCH_TICKETS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("HOTLINE_BENCH_TICKETS=%q: want a number of at least 1000", v)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkTicketList lists a page of 100 tickets, with the filters the
// API and the supervisor console use, from a million generated tickets in
// SQLite and (with HOTLINE_TEST_MYSQL_DSN) MySQL. Target: every listing
// under 100 ms; the median of the iterations is reported as median-ms.
func BenchmarkTicketList(b *testing.B) {
	b.Run(dialectSQLite, func(b *testing.B) {
		benchmarkTicketList(b, &testEnv{dialect: dialectSQLite, dataDir: b.TempDir(), clock: newFakeClock()})
	})
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		return
	}
	b.Run(dialectMySQL, func(b *testing.B) {
		benchmarkTicketList(b, &testEnv{dialect: dialectMySQL, dsn: freshMySQLDatabase(b, base),
			dataDir: b.TempDir(), clock: newFakeClock()})
	})
}

var benchCategories = []string{"complaint", "suggestion", "fault", "consultation"}

func benchmarkTicketList(b *testing.B, env *testEnv) {
	s, err := Open(context.Background(), env.config())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	n := benchTickets(b)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	if err := generateTickets(s, n, base); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d tickets generated in %v", env.dialect, n, time.Since(start).Round(time.Second))
	end := base.Add(time.Duration(n) * time.Minute)
	cases := []struct {
		name string
		f    TicketFilter
	}{
		{"newest", TicketFilter{}},
		{"state", TicketFilter{States: []string{"open"}}},
		{"states", TicketFilter{States: []string{"open", "assigned", "reopened"}}},
		{"category_state", TicketFilter{Category: "complaint", States: []string{"assigned"}}},
		{"caller", TicketFilter{Caller: "13800012345"}},
		{"account", TicketFilter{Account: "A0012345"}},
		{"owner", TicketFilter{Owner: "1007"}},
		{"owner_state", TicketFilter{Owner: "1007", States: []string{"assigned"}}},
		{"overdue", TicketFilter{OverdueAt: end}},
		{"month", TicketFilter{From: base.AddDate(0, 6, 0), To: base.AddDate(0, 7, 0), Category: "fault"}},
		{"page_deep", TicketFilter{BeforeCreated: base.Add(time.Duration(n/2) * time.Minute), BeforeID: "T"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.ListTickets(ctx, c.f); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
}

// generateTickets writes n tickets straight into the table (the writer
// would take minutes for a million): one a minute from base, the states,
// categories, owners and callers spread the way a busy year spreads them.
func generateTickets(s *Store, n int, base time.Time) error {
	const perStatement = 500
	cols := strings.Join(ticketColumns, ", ")
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ticketColumns)), ", ") + ")"
	states := []string{"closed", "closed", "return_visited", "return_visited", "closed", "answered",
		"assigned", "open", "reopened", "return_visited"}
	db := s.db()
	for done := 0; done < n; {
		tx, err := db.Beginx()
		if err != nil {
			return err
		}
		for batch := 0; batch < 20 && done < n; batch++ {
			k := min(perStatement, n-done)
			args := make([]any, 0, k*len(ticketColumns))
			for i := done; i < done+k; i++ {
				created := base.Add(time.Duration(i) * time.Minute)
				state := states[i%len(states)]
				closed := int64(0)
				if state == "closed" || state == "return_visited" {
					closed = ms(created.Add(5 * time.Hour))
				}
				args = append(args, fmt.Sprintf("T%08d", i), 2, benchCategories[i%4], []string{"normal", "urgent"}[i%7/6],
					state, fmt.Sprintf("138%08d", i%200_000), true, fmt.Sprintf("A%07d", i%300_000), "zh", "call-"+strconv.Itoa(i),
					"", "", "", "generated ticket", strconv.Itoa(1000+i%40), "agent", ms(created), ms(created),
					ms(created.Add(24*time.Hour)), ms(created.Add(time.Hour)), closed, 0, "", 0, 0, 0, "", 0)
			}
			q := "INSERT INTO tickets (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(marks+", ", k), ", ")
			if _, err := tx.Exec(db.Rebind(q), args...); err != nil {
				_ = tx.Rollback()
				return err
			}
			done += k
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if s.d.name == dialectSQLite {
		_, err := db.Exec("ANALYZE")
		return err
	}
	_, err := db.Exec("ANALYZE TABLE tickets")
	return err
}
