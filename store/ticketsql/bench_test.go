package ticketsql_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/internal/dbtest"
	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/sqldb"
	"github.com/hotline-oss/hotline/store/ticketsql"
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
	b.Run(storetest.SQLite, func(b *testing.B) {
		benchmarkTicketList(b, storetest.NewEnv(b, storetest.SQLite, ""))
	})
	base := os.Getenv(dbtest.MySQLDSNEnv)
	if base == "" {
		return
	}
	b.Run(storetest.MySQL, func(b *testing.B) {
		benchmarkTicketList(b, storetest.NewEnv(b, storetest.MySQL, dbtest.FreshMySQLDatabase(b, base)))
	})
}

var benchCategories = []string{"complaint", "suggestion", "fault", "consultation"}

func benchmarkTicketList(b *testing.B, env *storetest.Env) {
	s, err := store.Open(context.Background(), env.Config())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	n := benchTickets(b)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	if err := generateTickets(env.DB(b), env.Dialect, n, base); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d tickets generated in %v", env.Dialect, n, time.Since(start).Round(time.Second))
	end := base.Add(time.Duration(n) * time.Minute)
	cases := []struct {
		name string
		f    ticketsql.TicketFilter
	}{
		{"newest", ticketsql.TicketFilter{}},
		{"state", ticketsql.TicketFilter{States: []string{"open"}}},
		{"states", ticketsql.TicketFilter{States: []string{"open", "assigned", "reopened"}}},
		{"category_state", ticketsql.TicketFilter{Category: "complaint", States: []string{"assigned"}}},
		{"caller", ticketsql.TicketFilter{Caller: "13800012345"}},
		{"account", ticketsql.TicketFilter{Account: "A0012345"}},
		{"owner", ticketsql.TicketFilter{Owner: "1007"}},
		{"owner_state", ticketsql.TicketFilter{Owner: "1007", States: []string{"assigned"}}},
		{"overdue", ticketsql.TicketFilter{OverdueAt: end}},
		{"month", ticketsql.TicketFilter{From: base.AddDate(0, 6, 0), To: base.AddDate(0, 7, 0), Category: "fault"}},
		{"page_deep", ticketsql.TicketFilter{BeforeCreated: base.Add(time.Duration(n/2) * time.Minute), BeforeID: "T"}},
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
func generateTickets(db *sqlx.DB, dialect string, n int, base time.Time) error {
	const perStatement = 500
	cols := strings.Join(ticketsql.Columns, ", ")
	marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ticketsql.Columns)), ", ") + ")"
	states := []string{"closed", "closed", "return_visited", "return_visited", "closed", "answered",
		"assigned", "open", "reopened", "return_visited"}
	for done := 0; done < n; {
		tx, err := db.Beginx()
		if err != nil {
			return err
		}
		for batch := 0; batch < 20 && done < n; batch++ {
			k := min(perStatement, n-done)
			args := make([]any, 0, k*len(ticketsql.Columns))
			for i := done; i < done+k; i++ {
				created := base.Add(time.Duration(i) * time.Minute)
				state := states[i%len(states)]
				closed := int64(0)
				if state == "closed" || state == "return_visited" {
					closed = sqldb.MS(created.Add(5 * time.Hour))
				}
				args = append(args, fmt.Sprintf("T%08d", i), 2, benchCategories[i%4], []string{"normal", "urgent"}[i%7/6],
					state, fmt.Sprintf("138%08d", i%200_000), true, fmt.Sprintf("A%07d", i%300_000), "zh", "call-"+strconv.Itoa(i),
					"", "", "", "generated ticket", strconv.Itoa(1000+i%40), "agent", sqldb.MS(created), sqldb.MS(created),
					sqldb.MS(created.Add(24*time.Hour)), sqldb.MS(created.Add(time.Hour)), closed, 0, "", 0, 0, 0, "", 0)
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
	if dialect == storetest.SQLite {
		_, err := db.Exec("ANALYZE")
		return err
	}
	_, err := db.Exec("ANALYZE TABLE tickets")
	return err
}
