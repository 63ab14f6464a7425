package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// MySQLDSNEnv names the variable that points the suites at a MySQL/MariaDB
// server, e.g. "root@tcp(127.0.0.1:3306)/test?parseTime=true".
const MySQLDSNEnv = "HOTLINE_TEST_MYSQL_DSN"

// The dialects a test runs against, named as the store names them.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

var skipNotice sync.Once

// ForEach runs fn against SQLite (dsn empty), and against MySQL when
// HOTLINE_TEST_MYSQL_DSN is set, each in a subtest named by the dialect.
// Without the variable the MySQL subtest is skipped, or fails when CI=true.
func ForEach(t *testing.T, fn func(t *testing.T, dialect, dsn string)) {
	t.Helper()
	t.Run(SQLite, func(t *testing.T) { fn(t, SQLite, "") })
	t.Run(MySQL, func(t *testing.T) { fn(t, MySQL, FreshMySQLDatabase(t, MySQLBaseDSN(t))) })
}

// MySQLBaseDSN returns HOTLINE_TEST_MYSQL_DSN. Without it the test is
// skipped, or fails when CI=true.
func MySQLBaseDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv(MySQLDSNEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the suite against MariaDB", MySQLDSNEnv)
		}
		skipNotice.Do(func() {
			fmt.Fprintf(os.Stderr, "SKIP: %s not set; MySQL/MariaDB subtests skipped\n", MySQLDSNEnv)
		})
		t.Skipf("%s not set; MySQL/MariaDB not tested", MySQLDSNEnv)
	}
	return base
}

// FreshMySQLDatabase creates a database of its own for the test and drops
// it when the test ends; it returns base pointed at it.
func FreshMySQLDatabase(t testing.TB, base string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", MySQLDSNEnv, err)
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
