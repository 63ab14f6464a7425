package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/spool"
)

var errOutage = errors.New("test: database unreachable")

// faultySink sits between the writer and the database: it can fail every
// write, or hold writes until released (a slow database), and it logs the
// call ids that reach the database, in order.
type faultySink struct {
	inner sink

	mu      sync.Mutex
	failing bool
	gate    chan struct{} // non-nil: writes wait for it to close
	entered chan struct{}
	written []string
}

func (f *faultySink) Write(ctx context.Context, recs []record) (int, error) {
	f.mu.Lock()
	failing, gate := f.failing, f.gate
	f.mu.Unlock()
	if failing {
		return 0, errOutage
	}
	if gate != nil {
		select {
		case f.entered <- struct{}{}:
		default:
		}
		<-gate
	}
	n, err := f.inner.Write(ctx, recs)
	f.mu.Lock()
	for _, r := range recs[:n] {
		if r.Call != nil {
			f.written = append(f.written, r.Call.CallID)
		}
	}
	f.mu.Unlock()
	return n, err
}

// checkCallsWritten checks that the calls ids reached the database
// through fs in order, and left one row each.
func checkCallsWritten(t *testing.T, s *Store, fs *faultySink, ids []string) {
	t.Helper()
	if got := fs.order(); !reflect.DeepEqual(got, ids) {
		t.Fatalf("written order = %v, want %v", got, ids)
	}
	if n := count(t, s, "calls", ""); n != len(ids) {
		t.Errorf("calls = %d, want %d", n, len(ids))
	}
}

func (f *faultySink) setFailing(v bool) {
	f.mu.Lock()
	f.failing = v
	f.mu.Unlock()
}

func (f *faultySink) order() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.written...)
}

func withFaults(f *faultySink) func(*Config) {
	return func(c *Config) {
		c.wrapSink = func(s sink) sink { f.inner = s; return f }
	}
}

// quickCall scripts a short self-service call.
func quickCall(id string, start time.Time) *script {
	return newScript(id, "139"+id, start).
		at(0, call.CallArrived).at(0.2, call.CallAnswered, delay(0.2)).
		at(1, call.IVRNodeEntered, node("main", "balance")).
		at(20, call.CallEnded, result(call.ResultSelfService), reason("completed"), by(call.HangupByServer))
}

func callIDs(prefix string, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("%s%03d", prefix, i))
	}
	return ids
}

func TestOutageSpoolsAndRecoversInOrder(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		fs := &faultySink{}
		// The hooks run on the writer's goroutine; Flush orders them
		// before the reads below.
		var spoolSizes []int
		var writeErrors int
		hooks := func(c *Config) {
			c.Hooks.SpoolSize = func(n int, _ int64) { spoolSizes = append(spoolSizes, n) }
			c.Hooks.WriteError = func(error) { writeErrors++ }
		}
		s := env.open(t, withFaults(fs), hooks)
		r := s.Recorder()
		fs.setFailing(true)
		ids := callIDs("out", 30)
		for i, id := range ids[:10] {
			quickCall(id, at(float64(i))).feed(r)
		}
		r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "alice", State: "available",
			PrevState: "logged_out", Time: at(3)})
		if err := s.Flush(context.Background()); !errors.Is(err, errOutage) {
			t.Fatalf("flush during outage: err = %v, want the outage", err)
		}
		if last := spoolSizes[len(spoolSizes)-1]; last != 11 || writeErrors == 0 {
			t.Errorf("hooks saw spool %d and %d write errors, want 11 and some", last, writeErrors)
		}
		// Records arriving during the outage line up behind the spooled ones.
		for i, id := range ids[10:] {
			quickCall(id, at(float64(10+i))).feed(r)
		}
		spooled(t, s)
		st := s.Stats()
		if st.SpoolRecords != 31 || st.Queued != 0 || st.WriteErrors == 0 || !errors.Is(st.LastError, errOutage) {
			t.Fatalf("stats during outage = %+v, want 31 spooled", st)
		}
		if n := count(t, s, "calls", ""); n != 0 {
			t.Fatalf("calls written during outage = %d", n)
		}

		fs.setFailing(false)
		flush(t, s)
		if last := spoolSizes[len(spoolSizes)-1]; last != 0 {
			t.Errorf("hooks saw spool %d after recovery", last)
		}
		checkCallsWritten(t, s, fs, ids)
		if n := count(t, s, "agent_states", "agent = ?", "alice"); n != 1 {
			t.Errorf("agent states = %d, want 1", n)
		}
		if st := s.Stats(); st.SpoolRecords != 0 || st.SpoolBytes != 0 || st.LastError != nil {
			t.Errorf("spool after recovery = %+v", st)
		}
		if segs, _ := filepath.Glob(filepath.Join(env.dataDir, "spool", spool.SegmentPrefix+"*")); len(segs) != 0 {
			t.Errorf("segments left: %v", segs)
		}
	})
}

// A slow database fills the queue; HandleEvent spills to the spool instead
// of waiting, and the writer catches up in order.
func TestFullQueueSpillsWithoutBlocking(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		fs := &faultySink{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
		s := env.open(t, withFaults(fs), func(c *Config) { c.QueueSize = 4 })
		r := s.Recorder()
		ids := callIDs("slow", 40)
		quickCall(ids[0], at(0)).feed(r)
		<-fs.entered // the writer is stuck in the database with the first record
		for i, id := range ids[1:] {
			quickCall(id, at(float64(i+1))).feed(r)
		}
		spooled(t, s)
		st := s.Stats()
		if st.Queued != 4 || st.SpoolRecords != 35 {
			t.Fatalf("stats with a stuck writer = %+v, want 4 queued and 35 spooled", st)
		}
		close(fs.gate)
		flush(t, s)
		checkCallsWritten(t, s, fs, ids)
	})
}

// Records still spooled when the store closes are written by the next
// Open, before it returns.
func TestSpoolIsReplayedAtOpen(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		fs := &faultySink{failing: true}
		s := env.open(t, withFaults(fs))
		ids := callIDs("rs", 5)
		for i, id := range ids {
			quickCall(id, at(float64(i))).feed(s.Recorder())
		}
		s.SaveAgentStatus(AgentStatus{Agent: "alice", State: "paused", Reason: "lunch",
			Queues: []string{"billing"}, Since: at(1), Updated: at(1)})
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if recs, _ := mustSpool(t, env).Stats(); recs != 6 {
			t.Fatalf("spooled after close = %d, want 6", recs)
		}

		s2 := env.open(t)
		if n := count(t, s2, "calls", ""); n != len(ids) {
			t.Errorf("calls after reopen = %d, want %d", n, len(ids))
		}
		statuses, err := s2.LoadAgentStatus(context.Background())
		if err != nil || len(statuses) != 1 || statuses[0].Reason != "lunch" {
			t.Errorf("agent status after reopen = %+v, %v", statuses, err)
		}
		if st := s2.Stats(); st.SpoolRecords != 0 {
			t.Errorf("spool after reopen = %+v", st)
		}
	})
}

func mustSpool(t *testing.T, env *testEnv) *recordSpool {
	t.Helper()
	sp, err := spool.Open[record](filepath.Join(env.dataDir, "spool"), discardLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// A crash in the middle of an append leaves a torn last line: the records
// before it are replayed and the torn one is skipped.
func TestTornSpoolLineIsSkipped(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		sp := mustSpool(t, env)
		b := quickCall("torn1", at(0))
		rec := CallRecord{CallID: "torn1", Arrived: b.events[0].Time, Result: call.ResultSelfService}
		if _, err := sp.AppendTail([]record{{Call: &rec}}); err != nil {
			t.Fatal(err)
		}
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		segs, _ := filepath.Glob(filepath.Join(env.dataDir, "spool", spool.SegmentPrefix+"*"))
		f, err := os.OpenFile(segs[0], os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString(`{"call":{"call_id":"torn2","arr`)
		_ = f.Close()

		s := env.open(t)
		if n := count(t, s, "calls", ""); n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
		if _, err := s.Call(context.Background(), "torn1"); err != nil {
			t.Errorf("torn1: %v", err)
		}
	})
}

// A record the database refuses for its content is set aside in
// spool/rejected.jsonl, and the records behind it are written.
func TestRefusedRecordIsSetAside(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		var rejected []error
		s := env.open(t, func(c *Config) { c.Hooks.Rejected = func(err error) { rejected = append(rejected, err) } })
		installPoisonTrigger(t, s)
		r := s.Recorder()
		quickCall("ok1", at(0)).feed(r)
		poison := quickCall("bad", at(1))
		poison.base.Caller = "poison"
		for i := range poison.events {
			poison.events[i].Caller = "poison"
		}
		poison.feed(r)
		quickCall("ok2", at(2)).feed(r)
		flush(t, s)
		if n := count(t, s, "calls", ""); n != 2 {
			t.Errorf("calls = %d, want 2", n)
		}
		data, err := os.ReadFile(filepath.Join(env.dataDir, "spool", spool.RejectedFile))
		if err != nil || !containsAll(string(data), `"call_id":"bad"`, `"error"`) {
			t.Errorf("rejected file = %q, %v", data, err)
		}
		if st := s.Stats(); st.Rejected != 1 || len(rejected) != 1 || st.SpoolRecords != 0 {
			t.Errorf("stats = %+v, hook saw %v", st, rejected)
		}
	})
}

func installPoisonTrigger(t *testing.T, s *Store) {
	t.Helper()
	var ddl string
	switch s.Dialect() {
	case dialectSQLite:
		ddl = `CREATE TRIGGER poison BEFORE INSERT ON calls WHEN NEW.caller = 'poison'
BEGIN SELECT RAISE(ABORT, 'poisoned record'); END`
	default:
		// 1406 is "data too long", one of the errors about a value.
		ddl = `CREATE TRIGGER poison BEFORE INSERT ON calls FOR EACH ROW
IF NEW.caller = 'poison' THEN SIGNAL SQLSTATE '22001' SET MESSAGE_TEXT = 'poisoned record', MYSQL_ERRNO = 1406; END IF`
	}
	if _, err := s.db().Exec(ddl); err != nil {
		t.Fatalf("trigger: %v", err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// A real fault rather than an injected one: another connection holds a
// lock on the calls table, writes time out, records are spooled, and they
// are written once the lock is released.
func TestLockedDatabaseSpoolsAndRecovers(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t, func(c *Config) {
			c.WriteTimeout = 300 * time.Millisecond
			c.SQLiteBusyTimeout = 50 * time.Millisecond
		})
		release := lockCalls(t, s, env)
		quickCall("locked1", at(0)).feed(s.Recorder())
		if err := s.Flush(context.Background()); err == nil {
			t.Fatal("flush succeeded while the table was locked")
		}
		if st := s.Stats(); st.SpoolRecords != 1 {
			t.Fatalf("stats while locked = %+v", st)
		}
		release()
		// On MySQL the statement that timed out may still hold its row
		// lock for a moment after the table is unlocked, until the server
		// notices its client is gone; the writer just tries again.
		var err error
		for range 20 {
			if err = s.Flush(context.Background()); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("flush after unlocking: %v", err)
		}
		if n := count(t, s, "calls", "call_id = ?", "locked1"); n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
	})
}

// lockCalls takes a write lock from a separate connection and returns the
// function that releases it.
func lockCalls(t *testing.T, s *Store, env *testEnv) func() {
	t.Helper()
	var db *sql.DB
	var lock, unlock string
	var err error
	if s.Dialect() == dialectSQLite {
		db, err = sql.Open("sqlite", filepath.Join(env.dataDir, "hotline.db"))
		lock, unlock = "BEGIN EXCLUSIVE", "ROLLBACK"
	} else {
		db, err = sql.Open("mysql", env.dsn)
		lock, unlock = "LOCK TABLES calls WRITE", "UNLOCK TABLES"
	}
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), lock); err != nil {
		t.Fatalf("%s: %v", lock, err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), unlock); err != nil {
				t.Errorf("%s: %v", unlock, err)
			}
			_ = conn.Close()
			_ = db.Close()
		})
	}
	t.Cleanup(release)
	return release
}
