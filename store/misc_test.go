package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
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

func TestIntervalBoundaries(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	kathmandu, err := time.LoadLocation("Asia/Kathmandu") // UTC+5:45
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		iv         Interval
		loc        *time.Location
		t          string // RFC 3339
		start, end string
	}{
		{Interval30m, kathmandu, "2025-03-10T09:44:59+05:45", "2025-03-10T09:30:00+05:45", "2025-03-10T10:00:00+05:45"},
		{IntervalDay, cst, "2025-03-10T23:59:59+08:00", "2025-03-10T00:00:00+08:00", "2025-03-11T00:00:00+08:00"},
		// The day daylight saving starts is 23 hours long.
		{IntervalDay, ny, "2025-03-09T12:00:00-04:00", "2025-03-09T00:00:00-05:00", "2025-03-10T00:00:00-04:00"},
		{Interval30m, ny, "2025-03-09T03:10:00-04:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00"},
		{IntervalWeek, cst, "2025-03-16T23:00:00+08:00", "2025-03-10T00:00:00+08:00", "2025-03-17T00:00:00+08:00"},
		{IntervalWeek, cst, "2025-03-10T00:00:00+08:00", "2025-03-10T00:00:00+08:00", "2025-03-17T00:00:00+08:00"},
		{IntervalMonth, cst, "2025-02-28T16:30:00Z", "2025-03-01T00:00:00+08:00", "2025-04-01T00:00:00+08:00"},
		{IntervalMonth, ny, "2025-12-31T23:00:00-05:00", "2025-12-01T00:00:00-05:00", "2026-01-01T00:00:00-05:00"},
	}
	for _, c := range cases {
		tt, _ := time.Parse(time.RFC3339, c.t)
		wantStart, _ := time.Parse(time.RFC3339, c.start)
		wantEnd, _ := time.Parse(time.RFC3339, c.end)
		start := c.iv.start(tt, c.loc)
		if !start.Equal(wantStart) || !c.iv.next(start).Equal(wantEnd) {
			t.Errorf("%s of %s in %s = %v..%v, want %v..%v", c.iv, c.t, c.loc, start, c.iv.next(start), wantStart, wantEnd)
		}
	}
	if n := len(IntervalDay.starts(day1, day3, cst)); n != 2 {
		t.Errorf("two days have %d day intervals", n)
	}
	if _, err := ParseInterval("fortnight"); err == nil {
		t.Error("unknown interval accepted")
	}
}

func TestFigureEncodings(t *testing.T) {
	data, err := json.Marshal(struct {
		A, B Figure
	}{Figure(0.5), undefined()})
	if err != nil || string(data) != `{"A":0.5,"B":null}` {
		t.Fatalf("json = %s, %v", data, err)
	}
	if Figure(2.0/3).String() != "0.667" || undefined().String() != "" || undefined().Defined() {
		t.Errorf("strings: %q %q", Figure(2.0/3).String(), undefined().String())
	}
	if f := ratio(1, 0); f.Defined() || !math.IsNaN(float64(f)) {
		t.Errorf("ratio by zero = %v", f)
	}
}

func TestWriteCSV(t *testing.T) {
	rows := []AgentRow{{
		Agent: "alice", Calls: 2, TalkTime: 300, Occupancy: Figure(330.0 / 28740), CallsPerHour: undefined(),
		PausedByReason: map[string]float64{"training": 1800, "lunch": 3600},
	}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("csv = %q", buf.String())
	}
	header := strings.Split(lines[0], ",")
	cells := strings.Split(lines[1], ",")
	cell := func(name string) string {
		for i, h := range header {
			if h == name {
				return cells[i]
			}
		}
		t.Fatalf("no column %s in %v", name, header)
		return ""
	}
	if cell("agent") != "alice" || cell("calls") != "2" || cell("talk_seconds") != "300" ||
		cell("occupancy") != "0.011" || cell("calls_per_hour") != "" ||
		cell("paused_by_reason") != "lunch=3600;training=1800" {
		t.Errorf("csv row = %q", lines[1])
	}

	buf.Reset()
	ir := []IntervalRow{{Queue: "billing", Start: day1, End: day2, ServiceLevel: 0.5}}
	if err := WriteCSV(&buf, ir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "billing,2025-03-10T00:00:00+08:00,2025-03-11T00:00:00+08:00,0,") {
		t.Errorf("interval csv = %q", buf.String())
	}
	if err := WriteCSV(&buf, []int{1}); err == nil {
		t.Error("csv of ints accepted")
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
