package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlDSNEnv names the variable that points the suite at a MySQL/MariaDB
// server, e.g. "root@tcp(127.0.0.1:3306)/test?parseTime=true".
const mysqlDSNEnv = "HOTLINE_TEST_MYSQL_DSN"

var skipNotice sync.Once

// testEnv is one database for one test: a fresh SQLite file, or a fresh
// MySQL database that is dropped afterwards, so runs may overlap.
type testEnv struct {
	dialect string
	dsn     string
	dataDir string
	clock   *fakeClock
}

// forEachDB runs fn against SQLite, and against MySQL when
// HOTLINE_TEST_MYSQL_DSN is set. Without it the MySQL subtest is skipped,
// or fails when CI=true.
func forEachDB(t *testing.T, fn func(t *testing.T, env *testEnv)) {
	t.Helper()
	t.Run(dialectSQLite, func(t *testing.T) {
		fn(t, &testEnv{dialect: dialectSQLite, dataDir: t.TempDir(), clock: newFakeClock()})
	})
	t.Run(dialectMySQL, func(t *testing.T) {
		base := mysqlBaseDSN(t)
		fn(t, &testEnv{dialect: dialectMySQL, dsn: freshMySQLDatabase(t, base), dataDir: t.TempDir(), clock: newFakeClock()})
	})
}

// mysqlBaseDSN returns HOTLINE_TEST_MYSQL_DSN. Without it the test is
// skipped, or fails when CI=true.
func mysqlBaseDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the suite against MariaDB", mysqlDSNEnv)
		}
		skipNotice.Do(func() {
			fmt.Fprintf(os.Stderr, "SKIP: store: %s not set; MySQL/MariaDB subtests skipped\n", mysqlDSNEnv)
		})
		t.Skipf("%s not set; MySQL/MariaDB not tested", mysqlDSNEnv)
	}
	return base
}

// freshMySQLDatabase creates a database of its own for the test and drops
// it when the test ends.
func freshMySQLDatabase(t testing.TB, base string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", mysqlDSNEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "hotline_t_" + hex.EncodeToString(b[:])
	admin := cfg.Clone()
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		_ = db.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		_ = db.Close()
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

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

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
