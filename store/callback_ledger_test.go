package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store/callbacksql"
)

// A callback saved while the database cannot be reached waits in the
// spool: after a restart still during the outage it is not lost (the list
// is refused as incomplete rather than given without it), after a restart
// with the database back it is pending before the spool is written, with
// the attempts of its last save, among the callbacks saved before the
// outage; once written, its row is there once.
func TestCallbackSavedDuringOutageIsPendingAfterRestart(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		old := PendingCallback{CallbackID: "c1-cb", CallID: "c1", Queue: "repair", Caller: "13800000001",
			Number: "13800000001", HotlineNumber: "95598", Language: "zh", Queued: at, GiveUp: at.Add(2 * time.Hour)}
		fresh := PendingCallback{CallbackID: "c2-cb", CallID: "c2", Queue: "repair", Priority: 1, Caller: "13800000002",
			Number: "13900000002", HotlineNumber: "95598", Language: "en", Queued: at.Add(time.Minute),
			GiveUp: at.Add(time.Minute + 2*time.Hour)}

		before := env.open(t)
		if err := before.SaveCallback(old); err != nil {
			t.Fatal(err)
		}
		_ = before.Close(ctx)

		db := newFlakyDatabase(errRefused)
		during := env.open(t, db.use)
		if err := during.SaveCallback(fresh); err != nil {
			t.Fatalf("save during the outage: %v", err)
		}
		if st := during.Stats(); st.SpoolRecords != 1 {
			t.Fatalf("during the outage: %+v, want the save spooled", st)
		}
		_ = during.Close(ctx)

		// Restarted while the database is still away: the rows saved before
		// are out of reach, so there is no list, and the save stays.
		again := env.open(t, db.use)
		if got, err := again.PendingCallbacks(ctx); !errors.Is(err, ErrDatabaseUnavailable) {
			t.Fatalf("pending callbacks without the database: %+v, %v; want ErrDatabaseUnavailable", got, err)
		}
		fresh.Attempts = 1 // an attempt failed and was saved
		if err := again.SaveCallback(fresh); err != nil {
			t.Fatal(err)
		}
		_ = again.Close(ctx)

		// The database is back but fails the first writes: the spool is
		// not written when the callbacks are loaded.
		fs := &faultySink{failing: true}
		after := env.open(t, withFaults(fs))
		if n := count(t, after, "callbacks", "callback_id = ?", fresh.CallbackID); n != 0 {
			t.Fatalf("rows of the spooled callback before the spool is written: %d, want 0", n)
		}
		want := []PendingCallback{old, fresh}
		checkPending(t, after, want)
		fs.setFailing(false)
		flush(t, after)
		if n := count(t, after, "callbacks", "callback_id = ? AND attempts = 1", fresh.CallbackID); n != 1 {
			t.Errorf("rows of the spooled callback after the outage: %d, want 1 with its attempts", n)
		}
		if saves, ended := after.callbacks.Unwritten(); len(saves) != 0 || len(ended) != 0 {
			t.Errorf("ledger after the spool is written: %v, %v; want empty", saves, ended)
		}
		checkPending(t, after, want)
	})
}

// A callback saved and ended during an outage is not pending after a
// restart, neither before the spool is replayed nor halfway through (the
// save written, the end not yet), and in the end leaves no row. A save
// made after the end is dropped.
func TestCallbackSavedAndEndedDuringOutageLeavesNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		ended := PendingCallback{CallbackID: "c1-cb", CallID: "c1", Queue: "repair", Number: "13800000001",
			Queued: at, GiveUp: at.Add(time.Hour)}
		open := ended
		open.CallbackID, open.CallID, open.Number, open.Queued = "c2-cb", "c2", "13800000002", at.Add(time.Second)

		db := newFlakyDatabase(errRefused)
		during := env.open(t, db.use)
		for _, p := range []PendingCallback{ended, open} {
			if err := during.SaveCallback(p); err != nil {
				t.Fatal(err)
			}
		}
		during.DeleteCallback(ended.CallbackID)
		late := ended
		late.Attempts = 1
		if err := during.SaveCallback(late); err != nil {
			t.Fatal(err)
		}
		if st := during.Stats(); st.SpoolRecords != 3 {
			t.Fatalf("spooled %d records, want 3: a save after the end is dropped", st.SpoolRecords)
		}
		_ = during.Close(ctx)

		again := env.open(t, db.use) // restarted during the outage
		_ = again.Close(ctx)

		// The database is back; the replay writes one record per batch and
		// fails after the first: the ended callback's save has been passed
		// over, its end and the other save are still spooled.
		qs := &quotaSink{left: 1}
		half := env.open(t, withQuota(qs), func(c *Config) { c.BatchSize = 1 })
		if n := count(t, half, "callbacks", ""); n != 0 {
			t.Fatalf("rows after the first record: %d, want 0", n)
		}
		checkPending(t, half, []PendingCallback{open})
		_ = half.Close(ctx)

		after := env.open(t)
		checkPending(t, after, []PendingCallback{open})
		flush(t, after)
		if n := count(t, after, "callbacks", "callback_id = ?", ended.CallbackID); n != 0 {
			t.Errorf("rows of the ended callback: %d, want 0", n)
		}
		checkPending(t, after, []PendingCallback{open})
	})
}

// Should a callback's end reach the database before its save (the order
// is lost only when the spool disk fails and a record waits in memory),
// the save is passed over: the callback is not pending in between and
// leaves no row.
func TestCallbackEndWrittenBeforeItsSave(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		s := env.open(t)
		at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		p := PendingCallback{CallbackID: "c1-cb", CallID: "c1", Queue: "repair", Number: "13800000001",
			Queued: at, GiveUp: at.Add(time.Hour)}
		var held []record // what the writer was handed, in order
		s.callbacks = callbacksql.New(s.h,
			func(c *callbacksql.Spooled) func() { held = append(held, record{Callback: c}); return nil },
			func(d *callbacksql.Done) func() { held = append(held, record{CallbackDone: d}); return nil })
		if err := s.SaveCallback(p); err != nil {
			t.Fatal(err)
		}
		s.DeleteCallback(p.CallbackID)
		write := func(r record) {
			t.Helper()
			if n, err := s.newSink(s.db()).Write(ctx, []record{r}); err != nil || n != 1 {
				t.Fatalf("write: %d, %v", n, err)
			}
			s.callbacks.Written(callbackRecords([]record{r}))
		}
		write(held[1])
		checkPending(t, s, nil)
		write(held[0])
		if n := count(t, s, "callbacks", ""); n != 0 {
			t.Errorf("rows after the late save: %d, want 0", n)
		}
		if s.callbacks.Ended(p.CallbackID) {
			t.Error("the callback is still remembered once both are written")
		}
		checkPending(t, s, nil)
	})
}

func TestSaveCallbackRefusesIncompleteCallbacks(t *testing.T) {
	s := (&testEnv{dialect: dialectSQLite, dataDir: t.TempDir(), clock: newFakeClock()}).open(t)
	for _, p := range []PendingCallback{{Number: "13800000001"}, {CallbackID: "c1-cb"}} {
		if err := s.SaveCallback(p); !errors.Is(err, ErrBadCallback) {
			t.Errorf("SaveCallback(%+v) = %v, want ErrBadCallback", p, err)
		}
	}
	if st := s.Stats(); st.Queued != 0 || st.SpoolRecords != 0 || st.Written != 0 {
		t.Errorf("a refused save reached the writer: %+v", st)
	}
}

func checkPending(t *testing.T, s *Store, want []PendingCallback) {
	t.Helper()
	got, err := s.PendingCallbacks(context.Background())
	if err != nil {
		t.Fatalf("pending callbacks: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("pending callbacks:\n got  %+v\n want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pending callback %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
}

// quotaSink writes a given number of batches, then fails like a database
// that went away again.
type quotaSink struct {
	inner sink
	mu    sync.Mutex
	left  int
}

func (q *quotaSink) Write(ctx context.Context, recs []record) (int, error) {
	q.mu.Lock()
	ok := q.left > 0
	q.left--
	q.mu.Unlock()
	if !ok {
		return 0, errOutage
	}
	return q.inner.Write(ctx, recs)
}

func withQuota(q *quotaSink) func(*Config) {
	return func(c *Config) { c.wrapSink = func(s sink) sink { q.inner = s; return q } }
}
