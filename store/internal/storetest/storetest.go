package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/internal/testclock"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/internal/dbtest"
)

// The dialects, as Env.Dialect names them.
const (
	SQLite = dbtest.SQLite
	MySQL  = dbtest.MySQL
)

// Env is one database for one test.
type Env struct {
	Dialect string
	DSN     string // empty for SQLite in DataDir
	DataDir string
	Clock   *testclock.Clock
}

// ForEachDB runs fn against SQLite, and against MySQL when
// HOTLINE_TEST_MYSQL_DSN is set (see dbtest.ForEach).
func ForEachDB(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	dbtest.ForEach(t, func(t *testing.T, dialect, dsn string) {
		fn(t, NewEnv(t, dialect, dsn))
	})
}

// NewEnv is a fresh data directory for a store on dsn, with a clock that
// reads 2025-03-10 09:00 UTC until the test moves it.
func NewEnv(t testing.TB, dialect, dsn string) *Env {
	return &Env{Dialect: dialect, DSN: dsn, DataDir: t.TempDir(),
		Clock: testclock.At(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))}
}

// Config is the store's configuration for the env. Retries wait an hour,
// so tests drive them with Flush instead of the clock.
func (e *Env) Config() store.Config {
	return store.Config{DSN: e.DSN, DataDir: e.DataDir, Clock: e.Clock, RetryMin: time.Hour, RetryMax: time.Hour}
}

// Open opens a store that is closed when the test ends.
func (e *Env) Open(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), e.Config())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// Flush waits until everything handed to the store's writer is written.
func Flush(t testing.TB, s *store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

// DB is a connection of the test's own to the env's database (open the
// store first: it runs the migrations), closed when the test ends.
func (e *Env) DB(t testing.TB) *sqlx.DB {
	t.Helper()
	driver, dsn, bind := "mysql", e.DSN, "mysql"
	if e.Dialect == SQLite {
		driver, dsn, bind = "sqlite", filepath.Join(e.DataDir, store.SQLiteFile)+"?_pragma=busy_timeout(5000)", "sqlite3"
	}
	raw, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", e.Dialect, err)
	}
	db := sqlx.NewDb(raw.DB, bind)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Count returns the number of rows in table matching where.
func (e *Env) Count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	db := e.DB(t)
	var n int
	if where == "" {
		where = "1 = 1"
	}
	if err := db.Get(&n, db.Rebind("SELECT COUNT(*) FROM "+table+" WHERE "+where), args...); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
