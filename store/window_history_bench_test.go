package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkWindowEventsDay is one refresh of a clustered node's rolling
// windows (or a rebuild at start) on a busy day in MySQL: 50 000 queue
// visits and 30 000 agent state changes (500 agents) since midnight.
// Each iteration reads them all back as window events.
func BenchmarkWindowEventsDay(b *testing.B) {
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		b.Skipf("%s not set: this benchmark needs MariaDB", mysqlDSNEnv)
	}
	env := &testEnv{dialect: dialectMySQL, dsn: freshMySQLDatabase(b, base), dataDir: b.TempDir(), clock: newFakeClock()}
	s, err := Open(context.Background(), env.config())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(context.Background())
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	const visits, changes, agents = 50_000, 30_000, 500
	fillDay(b, s, day, visits, changes, agents)
	to := day.Add(24 * time.Hour)
	b.ResetTimer()
	for range b.N {
		events, err := s.WindowEvents(context.Background(), day, to)
		if err != nil {
			b.Fatal(err)
		}
		if len(events) < visits {
			b.Fatalf("%d events for %d visits", len(events), visits)
		}
	}
}

// fillDay writes a day's calls, visits and agent changes straight into
// the tables, many rows a statement.
func fillDay(b *testing.B, s *Store, day time.Time, visits, changes, agents int) {
	b.Helper()
	ctx := context.Background()
	step := int64(24*time.Hour/time.Millisecond) / int64(visits)
	insert := func(head string, n int, row func(i int) string) {
		for start := 0; start < n; start += 1000 {
			var rows []string
			for i := start; i < min(start+1000, n); i++ {
				rows = append(rows, row(i))
			}
			if _, err := s.db().ExecContext(ctx, head+strings.Join(rows, ", ")); err != nil {
				b.Fatal(err)
			}
		}
	}
	ms := day.UnixMilli()
	insert("INSERT INTO calls (call_id, ivr_path, vars, arrived_ms) VALUES ", visits, func(i int) string {
		return fmt.Sprintf("('c%d', '[]', '{}', %d)", i, ms+int64(i)*step)
	})
	insert("INSERT INTO queue_visits (call_id, seq, queue, queued_ms, left_ms, outcome, wait_ms) VALUES ", visits, func(i int) string {
		at := ms + int64(i)*step
		return fmt.Sprintf("('c%d', 1, 'q%d', %d, %d, 'answered', %d)", i, i%8, at, at+15000, 15000)
	})
	cstep := int64(24*time.Hour/time.Millisecond) / int64(changes)
	insert("INSERT INTO agent_states (id, agent, state, prev_state, at_ms) VALUES ", changes, func(i int) string {
		return fmt.Sprintf("('s%d', 'a%d', 'talking', 'available', %d)", i, i%agents, ms+int64(i)*cstep)
	})
}
