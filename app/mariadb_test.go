package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

const (
	mysqlDSNEnv   = "HOTLINE_TEST_MYSQL_DSN"
	mariadbBinary = "/usr/sbin/mariadbd"
)

// onSQLiteAndMariaDB runs test as the subtest "sqlite" with the default
// database (dsn ""), then as "mysql" on a MariaDB database of its own,
// which needs HOTLINE_TEST_MYSQL_DSN.
func onSQLiteAndMariaDB(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "") })
	t.Run("mysql", func(t *testing.T) {
		base := os.Getenv(mysqlDSNEnv)
		if base == "" {
			missingTool(t, mysqlDSNEnv+" is not set (the MariaDB run needs it)")
		}
		test(t, newOutageDatabase(t, base).dsn)
	})
}

// outageDatabase is a database of its own on the MariaDB server, dropped
// when the test ends.
type outageDatabase struct {
	dsn  string
	name string
	base *mysql.Config
}

func newOutageDatabase(t *testing.T, base string) outageDatabase {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", mysqlDSNEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := outageDatabase{name: "hotline_outage_" + hex.EncodeToString(b[:]), base: cfg}
	admin := db.open(t, "")
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + db.name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered before the server starts, so it runs after the server has
	// closed its store (and after MariaDB is back up).
	t.Cleanup(func() {
		admin := db.open(t, "")
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + db.name); err != nil {
			t.Errorf("drop database %s: %v", db.name, err)
		}
	})
	own := cfg.Clone()
	own.DBName = db.name
	db.dsn = own.FormatDSN()
	return db
}

func (d outageDatabase) open(t *testing.T, name string) *sql.DB {
	t.Helper()
	cfg := d.base.Clone()
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// countCalls reads the calls table directly, not through the store.
func (d outageDatabase) countCalls(t *testing.T) (total, distinct int) {
	t.Helper()
	db := d.open(t, d.name)
	defer db.Close()
	row := db.QueryRowContext(ctxT(t, 10*time.Second), "SELECT COUNT(*), COUNT(DISTINCT call_id) FROM calls")
	if err := row.Scan(&total, &distinct); err != nil {
		t.Fatalf("count calls: %v", err)
	}
	return total, distinct
}

// mysqladmin runs mysqladmin against the server over TCP.
func mysqladmin(ctx context.Context, args ...string) ([]byte, error) {
	base := []string{"-uroot", "--protocol=tcp", "-h127.0.0.1", "--connect-timeout=2"}
	return exec.CommandContext(ctx, "mysqladmin", append(base, args...)...).CombinedOutput()
}

func mariaDBAlive() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := mysqladmin(ctx, "ping")
	return err == nil
}

// stopMariaDB shuts MariaDB down and waits until its process has exited:
// it stops answering before it is gone, and a start in between would be
// a no-op.
func stopMariaDB(t *testing.T) {
	t.Helper()
	if out, err := mysqladmin(ctxT(t, 60*time.Second), "shutdown"); err != nil {
		t.Fatalf("mysqladmin shutdown: %v\n%s", err, out)
	}
	waitFor(t, "MariaDB to exit", 60*time.Second, func() bool { return !mariaDBAlive() && !mariaDBProcessRunning() })
}

// restartMariaDB waits for a stopping server to exit, starts it in the
// background and waits until it answers.
func restartMariaDB() error {
	if !pollUntil(60*time.Second, func() bool { return !mariaDBProcessRunning() }) {
		return errors.New("MariaDB: the old process did not exit within 60 s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "start-stop-daemon", "--start", "--oknodo", "--background",
		"--exec", mariadbBinary).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start MariaDB: %w\n%s", err, out)
	}
	if !pollUntil(60*time.Second, mariaDBAlive) {
		return errors.New("MariaDB did not answer ping within 60 s of starting")
	}
	return nil
}

// mariaDBProcessRunning asks start-stop-daemon whether a mariadbd process
// exists (exit status 0), whether or not it accepts connections.
func mariaDBProcessRunning() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "start-stop-daemon", "--status", "--exec", mariadbBinary).Run() == nil
}
