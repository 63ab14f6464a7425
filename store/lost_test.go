package store

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/cdr"
)

// lostRecord is the record a cluster's leader writes for a call whose
// node died while it talked to agent 1001.
func lostRecord(id string) CallRecord {
	return cdr.LostRecord(cdr.LostCall{CallID: id, Caller: "555", Queue: "billing", Queued: t0,
		Agent: "1001", Answered: t0.Add(10 * time.Second), Ended: t0.Add(70 * time.Second)})
}

// A lost call's record is written once with its queue visit, whoever
// writes it again (a second leader) changes nothing; the call's own
// record, written later (the dead node's spool when it comes back),
// replaces it; written before, it is never replaced. Two stores with
// their own spools share one MySQL database, as two nodes do.
func TestALostCallRecordNeverReplacesTheCallsOwn(t *testing.T) {
	shared := freshMySQLDatabase(t, mysqlBaseDSN(t))
	node := func() *Store {
		env := &testEnv{dialect: dialectMySQL, dsn: shared, dataDir: t.TempDir(), clock: newFakeClock()}
		return env.open(t)
	}
	leader, second, back := node(), node(), node()

	leader.RecordIfAbsent(lostRecord("lost"))
	flush(t, leader)
	got := getCall(t, leader, "lost")
	if got.Result != call.ResultAnsweredByAgent || got.EndReason != cdr.ReasonNodeLost || got.Agent != "1001" ||
		got.HangupBy != call.HangupByServer || got.Talk != time.Minute || len(got.Visits) != 1 ||
		got.Visits[0].Outcome != cdr.OutcomeAnswered || got.Visits[0].Wait != 10*time.Second {
		t.Fatalf("lost record %+v", got.CallRecord)
	}
	changed := lostRecord("lost")
	changed.Agent = "1002"
	second.RecordIfAbsent(changed)
	flush(t, second)
	if got := getCall(t, leader, "lost"); got.Agent != "1001" {
		t.Errorf("a second leader's record replaced the first: agent %s", got.Agent)
	}

	// The dead node comes back and writes the call's own record from its
	// spool: it is the truth, and replaces the lost one.
	answeredCall("lost", "555", "billing", "1001", t0, 10, 50, 0, 0).feed(back.Recorder())
	flush(t, back)
	if got := getCall(t, leader, "lost"); got.EndReason == cdr.ReasonNodeLost || got.Result != call.ResultAnsweredByAgent {
		t.Errorf("the call's own record did not replace the lost one: %+v", got.CallRecord)
	}
	// Written before, the call's own record is never replaced.
	answeredCall("ended", "556", "billing", "1001", t0, 10, 50, 0, 0).feed(back.Recorder())
	flush(t, back)
	leader.RecordIfAbsent(lostRecord("ended"))
	flush(t, leader)
	if got := getCall(t, leader, "ended"); got.EndReason == cdr.ReasonNodeLost || len(got.Visits) != 1 {
		t.Errorf("a lost record replaced the call's own: %+v", got.CallRecord)
	}
	if n := count(t, leader, "calls", ""); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
	if n := count(t, leader, "queue_visits", ""); n != 2 {
		t.Errorf("queue visits = %d, want one per call", n)
	}
}

// On either database, a provisional record is written once and keeps
// its visit.
func TestALostCallRecordIsWrittenOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		s.RecordIfAbsent(lostRecord("lost"))
		s.RecordIfAbsent(lostRecord("lost"))
		flush(t, s)
		if got := getCall(t, s, "lost"); got.EndReason != cdr.ReasonNodeLost || len(got.Visits) != 1 {
			t.Errorf("record %+v", got.CallRecord)
		}
		if n := count(t, s, "queue_visits", ""); n != 1 {
			t.Errorf("queue visits = %d, want 1", n)
		}
	})
}
