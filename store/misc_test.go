package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAgentStatusSurvivesAndNeverGoesBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		s.SaveAgentStatus(AgentStatus{Agent: "alice", State: "paused", Reason: "lunch",
			Queues: []string{"billing", "repair"}, Since: at(60), Updated: at(60)})
		// A save that was overtaken (older Updated) must not win.
		s.SaveAgentStatus(AgentStatus{Agent: "alice", State: "available", Since: at(10), Updated: at(10)})
		s.SaveAgentStatus(AgentStatus{Agent: "bob", State: "available", Queues: []string{"billing"}, Since: at(5)})
		flush(t, s)
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		s2 := env.open(t)
		got, err := s2.LoadAgentStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("statuses = %+v", got)
		}
		a, b := got[0], got[1]
		if a.Agent != "alice" || a.State != "paused" || a.Reason != "lunch" ||
			!reflect.DeepEqual(a.Queues, []string{"billing", "repair"}) || !a.Since.Equal(at(60)) {
			t.Errorf("alice = %+v", a)
		}
		// Updated defaults to the store's clock.
		if b.Agent != "bob" || !b.Updated.Equal(env.clock.Now()) || !reflect.DeepEqual(b.Queues, []string{"billing"}) {
			t.Errorf("bob = %+v", b)
		}
	})
}

func TestBackup(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		quickCall("bk1", at(0)).feed(s.Recorder())
		flush(t, s)
		path := filepath.Join(t.TempDir(), "copy.db")
		err := s.Backup(context.Background(), path)
		if s.Dialect() == dialectMySQL {
			if !errors.Is(err, ErrBackupUnsupported) {
				t.Fatalf("mysql backup: err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM calls WHERE call_id = 'bk1'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("copy has %d rows, err %v", n, err)
		}
		if err := s.Backup(context.Background(), path); err == nil {
			t.Error("backup over an existing file succeeded")
		}
	})
}

// The password of a MySQL DSN appears neither in the errors nor in the
// log, which still say where the store tried to connect.
func TestMySQLPasswordIsNeverShown(t *testing.T) {
	var logs bytes.Buffer
	s, err := Open(context.Background(), Config{
		DSN:      "mysql://hotline:s3cretPW@tcp(127.0.0.1:1)/hotline?timeout=1s",
		DataDir:  t.TempDir(),
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RetryMin: time.Hour, RetryMax: time.Hour,
	})
	if err != nil {
		t.Fatalf("open against a closed port: %v, want a store waiting for its database", err)
	}
	flushErr := s.Flush(context.Background())
	if !errors.Is(flushErr, ErrDatabaseUnavailable) {
		t.Fatalf("flush without a database: %v", flushErr)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(flushErr.Error(), "s3cretPW") || strings.Contains(logs.String(), "s3cretPW") {
		t.Fatalf("password leaked: err %q, logs %q", flushErr, logs.String())
	}
	for _, where := range []string{flushErr.Error(), logs.String()} {
		if !strings.Contains(where, "hotline@127.0.0.1:1/hotline") {
			t.Errorf("does not say where: %s", where)
		}
	}
}

func TestReportsRefuseAnEmptyPeriod(t *testing.T) {
	env := &testEnv{dialect: dialectSQLite, dataDir: t.TempDir(), clock: newFakeClock()}
	s := env.open(t)
	ctx := context.Background()
	if _, err := s.IntervalReport(ctx, IntervalParams{From: day2, To: day1}); err == nil {
		t.Error("interval report over a backwards period")
	}
	if _, err := s.IntervalReport(ctx, IntervalParams{From: day1, To: day1.AddDate(2, 0, 0), Interval: Interval30m}); err == nil {
		t.Error("interval report of two years of half hours")
	}
	if _, err := s.AgentReport(ctx, AgentParams{To: day1}); err == nil {
		t.Error("agent report without a start")
	}
}

func TestOpenNeedsADataDir(t *testing.T) {
	if _, err := Open(context.Background(), Config{}); err == nil {
		t.Fatal("open without a data dir succeeded")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"13800001234": "*******1234", "1234": "****", "": "", "電話番號12": "**番號12",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	vars := map[string]string{"account": "9876543210"}
	if got := MaskVars(vars); got["account"] != "******3210" || vars["account"] != "9876543210" {
		t.Errorf("MaskVars = %v (input now %v)", got, vars)
	}
}

// hotline backup runs beside a live server: it must copy the database file
// and leave the server's spool alone (no replay, no rewrite, no migration
// run from a second process).
func TestBackupFileLeavesTheSpoolAlone(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(ctx); err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(dir, "spool")
	if err := os.MkdirAll(spool, 0o750); err != nil {
		t.Fatal(err)
	}
	segment := filepath.Join(spool, "seg-000000000100.jsonl")
	const pending = `{"kind":"not-yet-written","note":"the live server owns this"}` + "\n"
	if err := os.WriteFile(segment, []byte(pending), 0o640); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, filepath.Join(dir, SQLiteFile), out); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(segment); err != nil || string(got) != pending {
		t.Fatalf("spool segment after backup: %q, %v; want it untouched", got, err)
	}
	entries, _ := os.ReadDir(spool)
	if len(entries) != 1 {
		t.Errorf("spool holds %d files after backup, want the 1 it had", len(entries))
	}
	head := make([]byte, 16)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "SQLite format 3\x00" {
		t.Errorf("backup is not a SQLite database: %q, %v", head, err)
	}
	// No database, no copy and nothing created.
	missing := filepath.Join(t.TempDir(), SQLiteFile)
	if err := BackupFile(ctx, missing, filepath.Join(t.TempDir(), "x.db")); err == nil {
		t.Error("backup of a missing database succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("backup created the missing database")
	}
}
