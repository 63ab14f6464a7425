package store

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store/callbacksql"
	"github.com/hotline-oss/hotline/store/recordingsql"
	"github.com/hotline-oss/hotline/store/workordersql"
)

// outageNumber is the form of a work-order number given without the
// database: F<day>-<hhmmssmmm>.
var outageNumber = regexp.MustCompile(`^F\d{8}-\d{9}$`)

// The records of the outage test are made at 11:04:05.678 in outageZone,
// which numbers the work orders filed without the database.
var (
	outageZone    = time.FixedZone("CST", 8*3600)
	outageCreated = time.Date(2026, 11, 23, 3, 4, 5, 678e6, time.UTC)
)

// Recordings, work orders and callback ends made while the database is out
// of reach wait in the spool, survive a restart during the outage, and are
// written once when the database is back; a callback that ended during the
// outage is not pending after the restart, although its row is still there.
func TestDurableWritesWaitOutAnOutage(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		done := PendingCallback{CallbackID: "cb-done", CallID: "c1", Queue: "repair", Number: "13800000001",
			Queued: outageCreated, GiveUp: outageCreated.Add(time.Hour)}
		open := done
		open.CallbackID, open.CallID, open.Number = "cb-open", "c2", "13800000002"

		before := env.open(t)
		for _, p := range []PendingCallback{done, open} {
			if err := before.SaveCallback(p); err != nil {
				t.Fatal(err)
			}
		}
		_ = before.Close(ctx)

		workOrders := spoolThroughAnOutage(t, env, done.CallbackID)

		// The database answers again but fails the first writes, so the
		// spool is not written yet when the callbacks are loaded.
		fs := &faultySink{failing: true}
		after := env.open(t, withFaults(fs))
		if n := count(t, after, "callbacks", "callback_id = ?", done.CallbackID); n != 1 {
			t.Fatalf("ended callback's row before the spool is written: %d, want still 1", n)
		}
		pending, err := after.PendingCallbacks(ctx)
		if err != nil || len(pending) != 1 || pending[0].CallbackID != open.CallbackID {
			t.Fatalf("pending callbacks after the restart: %+v, %v; want only %s", pending, err, open.CallbackID)
		}
		fs.setFailing(false)
		flush(t, after)

		if n := count(t, after, "callbacks", ""); n != 1 {
			t.Errorf("callbacks rows = %d, want 1 (the open one)", n)
		}
		if after.callbacks.Ended(done.CallbackID) {
			t.Error("the written callback end is still remembered")
		}
		checkWrittenAfterTheOutage(t, after, workOrders)
	})
}

// spoolThroughAnOutage opens a store whose database refuses connections,
// saves a recording twice, three work orders and the end of callback
// ended, checks that they wait in the spool, and closes the store as a
// restart during the outage would. It returns the work orders' numbers in
// the order they were filed.
func spoolThroughAnOutage(t *testing.T, env *testEnv, ended string) []string {
	t.Helper()
	ctx := context.Background()
	db := newFlakyDatabase(errRefused)
	during := env.open(t, db.use)
	rec := Recording{CallID: "c3", Queue: "billing", Agent: "1001", File: "2026/11/23/c3.wav",
		Started: outageCreated, Duration: 90 * time.Second, Bytes: 100}
	if err := during.SaveRecording(rec); err != nil {
		t.Fatalf("save recording during the outage: %v", err)
	}
	rec.Bytes = 200 // saved again: replaces
	if err := during.SaveRecording(rec); err != nil {
		t.Fatal(err)
	}
	external, err := during.SaveWorkOrder(ctx, WorkOrder{Number: "CRM-7", CallID: "c4", Created: outageCreated}, outageZone)
	if err != nil || external != "CRM-7" {
		t.Fatalf("work order with the receiver's number during the outage: %q, %v", external, err)
	}
	local1, err1 := during.SaveWorkOrder(ctx, WorkOrder{CallID: "c5", Recording: "m5.wav", Created: outageCreated}, outageZone)
	local2, err2 := during.SaveWorkOrder(ctx, WorkOrder{CallID: "c6", Recording: "m6.wav", Created: outageCreated}, outageZone)
	if err1 != nil || err2 != nil || !outageNumber.MatchString(local1) || local1 == local2 ||
		local1 != "F20261123-110405678" || local2 != "F20261123-110405679" {
		t.Fatalf("local work orders during the outage: %q %v, %q %v", local1, err1, local2, err2)
	}
	during.DeleteCallback(ended)
	if st := during.Stats(); st.SpoolRecords != 6 || st.Queued != 0 {
		t.Fatalf("during the outage: %+v, want 6 records spooled", st)
	}
	_ = during.Close(ctx) // restarted while the database is still away
	return []string{external, local1, local2}
}

// checkWrittenAfterTheOutage checks that the recording and the work orders
// spoolThroughAnOutage made were written once each, and that local
// numbering goes on after them.
func checkWrittenAfterTheOutage(t *testing.T, after *Store, workOrders []string) {
	t.Helper()
	ctx := context.Background()
	got, err := after.RecordingOf(ctx, "c3")
	if err != nil || got.Bytes != 200 || got.Duration != 90*time.Second || !got.Started.Equal(outageCreated) {
		t.Errorf("recording after the outage = %+v, %v", got, err)
	}
	if n := count(t, after, "recordings", ""); n != 1 {
		t.Errorf("recordings rows = %d, want 1", n)
	}
	for seq, number := range workOrders {
		if n := count(t, after, "work_orders", "number = ? AND day = ? AND seq = ?", number, "20261123", seq+1); n != 1 {
			t.Errorf("work order %s (seq %d): %d rows, want 1", number, seq+1, n)
		}
	}
	// Numbering by sequence goes on after the spooled ones.
	next, err := after.SaveWorkOrder(ctx, WorkOrder{CallID: "c7", Created: outageCreated}, outageZone)
	if err != nil || next != "F20261123-0004" {
		t.Errorf("next local number = %q, %v", next, err)
	}
}

// A replay writes records a failed batch had written already: every kind
// leaves one row, and a work order whose direct save did commit (its
// answer lost with the connection) is not filed a second time.
func TestDurableRecordsWrittenTwiceLeaveOneRow(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		ctx := context.Background()
		s := env.open(t)
		created := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		direct, err := s.SaveWorkOrder(ctx, WorkOrder{CallID: "c1", Recording: "m1.wav", Created: created}, time.UTC)
		if err != nil || direct != "F20261123-0001" {
			t.Fatalf("direct save: %q, %v", direct, err)
		}
		if err := s.SaveCallback(PendingCallback{CallbackID: "cb", CallID: "c2", Queue: "q", Number: "1",
			Queued: created, GiveUp: created}); err != nil {
			t.Fatal(err)
		}
		flush(t, s)
		recs := []record{
			{Recording: &recordingsql.Spooled{CallID: "c3", File: "c3.wav", Started: created, Bytes: 5}},
			{WorkOrder: &workordersql.Spooled{WorkOrder: WorkOrder{Number: "CRM-1", CallID: "c4", Created: created}, Day: "20261123"}},
			{WorkOrder: &workordersql.Spooled{WorkOrder: WorkOrder{Number: "F20261123-030000000", CallID: "c1",
				Recording: "m1.wav", Created: created}, Day: "20261123"}},
			{CallbackDone: &callbacksql.Done{CallbackID: "cb"}},
		}
		for range 2 {
			if n, err := s.newSink(s.db()).Write(ctx, recs); err != nil || n != len(recs) {
				t.Fatalf("write: %d, %v", n, err)
			}
		}
		for table, want := range map[string]int{"recordings": 1, "work_orders": 2, "callbacks": 0} {
			if n := count(t, s, table, ""); n != want {
				t.Errorf("%s rows = %d, want %d", table, n, want)
			}
		}
		if n := count(t, s, "work_orders", "number = ?", direct); n != 1 {
			t.Errorf("the directly saved work order is gone")
		}
	})
}

// The database goes away under a running MySQL store: a notice write fails
// as unavailable and changes nothing, a work order is kept in the spool
// under an outage number and written once the database is back.
func TestMySQLNoticesAndWorkOrdersThroughAnOutage(t *testing.T) {
	env, hole, target := proxiedMySQLEnv(t)
	proxy := startProxy(t, hole, target)
	s := env.open(t)
	ctx := context.Background()
	now := env.clock.Now()
	kept, err := s.CreateNotice(ctx, Notice{Areas: []string{"north"}, Text: "kept", Starts: now, Created: now, Updated: now})
	if err != nil {
		t.Fatal(err)
	}

	proxy.stop()
	if _, err := s.CreateNotice(ctx, Notice{Areas: []string{"south"}, Starts: now, Created: now, Updated: now}); !errors.Is(err, ErrDatabaseUnavailable) {
		t.Errorf("create notice during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	kept.Text = "changed"
	if err := s.UpdateNotice(ctx, kept); !errors.Is(err, ErrDatabaseUnavailable) {
		t.Errorf("update notice during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	if err := s.DeleteNotice(ctx, kept.ID); !errors.Is(err, ErrDatabaseUnavailable) {
		t.Errorf("delete notice during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	if _, err := s.Notices(ctx, true); !errors.Is(err, ErrDatabaseUnavailable) {
		t.Errorf("list notices during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	if _, err := s.WorkOrders(ctx, now.Add(-time.Hour), now.Add(time.Hour)); !errors.Is(err, ErrDatabaseUnavailable) {
		t.Errorf("list work orders during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	if _, err := s.WorkOrderByRecording(ctx, "m.wav"); !errors.Is(err, ErrDatabaseUnavailable) || errors.Is(err, ErrNotFound) {
		t.Errorf("work order by recording during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	number, err := s.SaveWorkOrder(ctx, WorkOrder{CallID: "c1", Recording: "m.wav", Created: now}, time.UTC)
	if err != nil || !outageNumber.MatchString(number) {
		t.Fatalf("work order during the outage: %q, %v", number, err)
	}

	startProxy(t, hole, target)
	flush(t, s)
	list, err := s.Notices(ctx, true)
	if err != nil || len(list) != 1 || list[0].Text != "kept" {
		t.Errorf("notices after the outage = %+v, %v; want only the first, unchanged", list, err)
	}
	if n := count(t, s, "work_orders", "number = ?", number); n != 1 {
		t.Errorf("work order %s: %d rows, want 1", number, n)
	}
	if w, err := s.WorkOrderByRecording(ctx, "m.wav"); err != nil || w.Number != number {
		t.Errorf("work order by recording after the outage: %+v, %v", w, err)
	}
	if _, err := s.WorkOrderByRecording(ctx, "other.wav"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown recording: %v, want ErrNotFound", err)
	}
}
