package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/call"
)

var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

// flakyDatabase stands for a database that cannot be reached until the
// test says so; once up, it opens the real one. Every attempt is signalled
// on attempts; an attempt made while hang is set waits for its context, as
// a connection to a host that drops packets would.
type flakyDatabase struct {
	mu    sync.Mutex
	down  error
	hang  bool
	tries int

	attempts chan struct{}
	hanging  chan struct{}
}

func newFlakyDatabase(down error) *flakyDatabase {
	return &flakyDatabase{down: down, attempts: make(chan struct{}, 1), hanging: make(chan struct{}, 1)}
}

func (f *flakyDatabase) connect(ctx context.Context, cfg Config) (*sqlx.DB, error) {
	f.mu.Lock()
	f.tries++
	down, hang := f.down, f.hang
	f.mu.Unlock()
	signal(f.attempts)
	if hang {
		signal(f.hanging)
		<-ctx.Done()
		return nil, fmt.Errorf("test: dial: %w", ctx.Err())
	}
	if down != nil {
		return nil, down
	}
	return connect(ctx, cfg)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (f *flakyDatabase) set(down error, hang bool) {
	f.mu.Lock()
	f.down, f.hang = down, hang
	f.mu.Unlock()
}

func (f *flakyDatabase) attemptCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

func (f *flakyDatabase) use(c *Config) { c.connector = f.connect }

// logRecorder keeps the level and message of every log record.
type logRecorder struct {
	mu      sync.Mutex
	records []string // "LEVEL message"
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Level.String()+" "+r.Message)
	l.mu.Unlock()
	return nil
}

// count reports how many records start with prefix ("WARN", "INFO store: x").
func (l *logRecorder) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (l *logRecorder) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.records...)
}

// waitWritten waits until the writer reports n records written to the
// database; the deadline only turns a hang into a failure.
func waitWritten(t *testing.T, written <-chan int, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for total := 0; total < n; {
		select {
		case k := <-written:
			total += k
		case <-deadline:
			t.Fatalf("the writer wrote fewer than %d records", n)
		}
	}
}

// Every read says the database is unavailable rather than answering from
// nothing.
func assertReadsUnavailable(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	errs := map[string]error{}
	_, errs["Call"] = s.Call(ctx, "x")
	_, errs["Calls"] = s.Calls(ctx, day1, day2, 0)
	_, errs["AgentStates"] = s.AgentStates(ctx, "", day1, day2)
	_, errs["LoadAgentStatus"] = s.LoadAgentStatus(ctx)
	_, errs["IntervalReport"] = s.IntervalReport(ctx, IntervalParams{From: day1, To: day2})
	_, errs["AgentReport"] = s.AgentReport(ctx, AgentParams{From: day1, To: day2})
	_, errs["RepeatCallers"] = s.RepeatCallers(ctx, RepeatParams{Month: day1})
	if s.Dialect() == dialectSQLite {
		errs["Backup"] = s.Backup(ctx, filepath.Join(t.TempDir(), "copy.db"))
	}
	for name, err := range errs {
		if !errors.Is(err, ErrDatabaseUnavailable) {
			t.Errorf("%s without a database: err = %v, want ErrDatabaseUnavailable", name, err)
		}
	}
}

func TestUnreachableDatabaseOpensDegradedAndCatchesUp(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		db := newFlakyDatabase(errRefused)
		fs := &faultySink{}
		logs := &logRecorder{}
		// The hooks run on the writer's goroutine; Open and Flush order
		// them before the reads below.
		var spoolSizes []int
		var writeErrors []error
		s := env.open(t, db.use, withFaults(fs), func(c *Config) {
			c.Logger = slog.New(logs)
			c.Hooks.SpoolSize = func(n int, _ int64) { spoolSizes = append(spoolSizes, n) }
			c.Hooks.WriteError = func(err error) { writeErrors = append(writeErrors, err) }
		})
		st := s.Stats()
		if st.DatabaseConnected || !errors.Is(st.LastError, ErrDatabaseUnavailable) ||
			!errors.Is(st.LastError, syscall.ECONNREFUSED) || st.WriteErrors != 1 || len(writeErrors) != 1 {
			t.Fatalf("stats of a store without its database = %+v (hook saw %v)", st, writeErrors)
		}
		assertReadsUnavailable(t, s)

		r := s.Recorder()
		ids := callIDs("deg", 12)
		for i, id := range ids {
			quickCall(id, at(float64(i))).feed(r)
		}
		r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "alice", State: "paused",
			PrevState: "available", Time: at(3)})
		s.SaveAgentStatus(AgentStatus{Agent: "alice", State: "paused", Since: at(3), Updated: at(3)})
		spooled(t, s)
		// Nothing waits in memory alone: once the spiller has caught up,
		// all of it is on disk.
		if st := s.Stats(); st.Queued != 0 || st.SpoolRecords != 14 {
			t.Fatalf("stats after records without a database = %+v, want 14 spooled", st)
		}
		if recs, _ := mustSpool(t, env).Stats(); recs != 14 {
			t.Fatalf("records on disk = %d, want 14", recs)
		}

		err := s.Flush(context.Background())
		if !errors.Is(err, ErrDatabaseUnavailable) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("flush without a database: err = %v", err)
		}
		if len(writeErrors) != 2 || spoolSizes[len(spoolSizes)-1] != 14 {
			t.Errorf("hooks saw %d write errors and spool %v, want 2 and 14", len(writeErrors), spoolSizes)
		}

		db.set(nil, false)
		flush(t, s)
		checkCallsWritten(t, s, fs, ids)
		if n := count(t, s, "agent_states", "agent = ?", "alice"); n != 1 {
			t.Errorf("agent states = %d, want 1", n)
		}
		statuses, err := s.LoadAgentStatus(context.Background())
		if err != nil || len(statuses) != 1 || statuses[0].State != "paused" {
			t.Errorf("agent status after the database came = %+v, %v", statuses, err)
		}
		if st := s.Stats(); !st.DatabaseConnected || st.SpoolRecords != 0 || st.LastError != nil {
			t.Errorf("stats after the database came = %+v", st)
		}
		if spoolSizes[len(spoolSizes)-1] != 0 {
			t.Errorf("hooks saw spool %v after the database came", spoolSizes)
		}
		if w, back := logs.count("WARN"), logs.count("INFO store: database reachable again"); w != 1 || back != 1 {
			t.Errorf("logged %d warnings and %d returns, want one of each: %v", w, back, logs.all())
		}
	})
}

// Nobody calls Flush: the writer retries on its own schedule and writes
// the spool once the database answers.
func TestDegradedStoreReconnectsByItself(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		db := newFlakyDatabase(errRefused)
		fs := &faultySink{}
		written := make(chan int, 64)
		s := env.open(t, db.use, withFaults(fs), func(c *Config) {
			c.RetryMin, c.RetryMax = time.Millisecond, 4*time.Millisecond
			c.Hooks.RowsWritten = func(n int) { written <- n }
		})
		ids := callIDs("bg", 8)
		for i, id := range ids {
			quickCall(id, at(float64(i))).feed(s.Recorder())
		}
		for db.attemptCount() < 3 {
			<-db.attempts
		}
		spooled(t, s)
		if st := s.Stats(); st.DatabaseConnected || st.SpoolRecords != len(ids) {
			t.Fatalf("stats while the database is down = %+v", st)
		}
		db.set(nil, false)
		waitWritten(t, written, len(ids))
		if got := fs.order(); !reflect.DeepEqual(got, ids) {
			t.Fatalf("written order = %v, want %v", got, ids)
		}
		// The hook runs before the drained segment is removed; a flush
		// waits for the writer to finish that pass.
		flush(t, s)
		if st := s.Stats(); !st.DatabaseConnected || st.SpoolRecords != 0 {
			t.Errorf("stats after reconnecting = %+v", st)
		}
		if _, err := s.Call(context.Background(), ids[0]); err != nil {
			t.Errorf("read after reconnecting: %v", err)
		}
	})
}

// Close abandons an attempt under way, writes nothing, and leaves every
// record (the calls still open included) for the next Open.
func TestClosingADegradedStoreKeepsTheSpool(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		db := newFlakyDatabase(errRefused)
		s, err := Open(context.Background(), env.config(db.use, func(c *Config) {
			c.RetryMin, c.RetryMax = time.Millisecond, time.Millisecond
		}))
		if err != nil {
			t.Fatal(err)
		}
		ids := callIDs("cl", 3)
		for i, id := range ids {
			quickCall(id, at(float64(i))).feed(s.Recorder())
		}
		open := newScript("cl-open", "1390", at(5)).at(0, call.CallArrived)
		open.feed(s.Recorder())
		db.set(nil, true)
		<-db.hanging
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Fatalf("close: %v", err)
		}
		if ctx.Err() != nil {
			t.Fatal("close waited for the connection attempt to time out")
		}
		if recs, _ := mustSpool(t, env).Stats(); recs != 4 {
			t.Fatalf("spooled after close = %d, want 4", recs)
		}

		s2 := env.open(t)
		if n := count(t, s2, "calls", ""); n != 4 {
			t.Errorf("calls after reopening = %d, want 4", n)
		}
		c, err := s2.Call(context.Background(), "cl-open")
		if err != nil || c.EndReason != ReasonShutdown {
			t.Errorf("open call after reopening = %+v, %v", c, err)
		}
	})
}

// A database that answers and refuses is a configuration mistake: Open
// fails at once instead of waiting for it.
func TestOpenRefusesConfigurationMistakes(t *testing.T) {
	accessDenied := &mysql.MySQLError{Number: 1045, Message: "Access denied for user 'hotline'"}
	cases := []struct {
		name string
		dsn  string
		err  error // what the database answers; nil: the real connector
		want string
	}{
		{"wrong password", "mysql://hotline:x@tcp(db:3306)/hotline", fmt.Errorf("store: mysql: %w", accessDenied), "Access denied"},
		{"unknown database", "mysql://hotline:x@tcp(db:3306)/nope", &mysql.MySQLError{Number: 1049, Message: "Unknown database"}, "Unknown database"},
		{"caller gave up", "mysql://hotline:x@tcp(db:3306)/hotline", context.Canceled, "canceled"},
		{"bad dsn", "mysql://hotline:x@tcp(db:3306", nil, "dsn"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{DSN: tc.dsn, DataDir: t.TempDir()}
			tries := 0
			if tc.err != nil {
				cfg.connector = func(context.Context, Config) (*sqlx.DB, error) { tries++; return nil, tc.err }
			}
			s, err := Open(context.Background(), cfg)
			if err == nil {
				_ = s.Close(context.Background())
				t.Fatal("open succeeded")
			}
			if errors.Is(err, ErrDatabaseUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a refusal saying %q", err, tc.want)
			}
			if tc.err != nil && tries != 1 {
				t.Errorf("connector tried %d times, want once", tries)
			}
		})
	}
}
