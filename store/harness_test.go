package store

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/dbtest"
	"github.com/hotline-oss/hotline/internal/testclock"
)

// mysqlDSNEnv names the variable that points the suite at a MySQL/MariaDB
// server (see dbtest).
const mysqlDSNEnv = dbtest.MySQLDSNEnv

// testEnv is one database for one test: a fresh SQLite file, or a fresh
// MySQL database that is dropped afterwards, so runs may overlap.
type testEnv struct {
	dialect string
	dsn     string
	dataDir string
	clock   *testclock.Clock
}

// forEachDB runs fn against SQLite, and against MySQL when
// HOTLINE_TEST_MYSQL_DSN is set. Without it the MySQL subtest is skipped,
// or fails when CI=true.
func forEachDB(t *testing.T, fn func(t *testing.T, env *testEnv)) {
	t.Helper()
	dbtest.ForEach(t, func(t *testing.T, dialect, dsn string) {
		fn(t, &testEnv{dialect: dialect, dsn: dsn, dataDir: t.TempDir(), clock: newFakeClock()})
	})
}

// mysqlBaseDSN returns HOTLINE_TEST_MYSQL_DSN. Without it the test is
// skipped, or fails when CI=true.
func mysqlBaseDSN(t *testing.T) string { return dbtest.MySQLBaseDSN(t) }

// freshMySQLDatabase creates a database of its own for the test and drops
// it when the test ends.
func freshMySQLDatabase(t testing.TB, base string) string { return dbtest.FreshMySQLDatabase(t, base) }

func (e *testEnv) config(mods ...func(*Config)) Config {
	cfg := Config{DSN: e.dsn, DataDir: e.dataDir, Clock: e.clock, RetryMin: time.Hour, RetryMax: time.Hour}
	for _, m := range mods {
		m(&cfg)
	}
	return cfg
}

// open opens a store that is closed when the test ends. Retries wait an
// hour, so tests drive them with Flush instead of the clock.
func (e *testEnv) open(t *testing.T, mods ...func(*Config)) *Store {
	t.Helper()
	s, err := Open(context.Background(), e.config(mods...))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func flush(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

// spooled waits until the records handed to the spiller so far are on
// disk: producers only hand them over, the spiller's goroutine writes them.
func spooled(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.pipe.WaitSpilled(ctx); err != nil {
		t.Fatalf("spiller: %v", err)
	}
}

// count returns the number of rows in table matching where.
func count(t *testing.T, s *Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	if where == "" {
		where = "1 = 1"
	}
	if err := s.db().Get(&n, s.db().Rebind("SELECT COUNT(*) FROM "+table+" WHERE "+where), args...); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newFakeClock is a hand-moved clock at the store tests' usual start.
func newFakeClock() *testclock.Clock {
	return testclock.At(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
}
