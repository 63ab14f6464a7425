package store

import (
	"testing"

	"github.com/hotline-oss/hotline/call"
)

// refusal is a call a node refused with 503 before answering it.
func refusal(id string) *script {
	return newScript(id, "13900000000", t0).
		at(0, call.CallBlocked, result(call.ResultBlocked), reason("cluster_down"))
}

// In a cluster the front moves a call refused by one node to the next
// under the same Call-ID: the refusal never replaces the record of the
// node that took the call, whichever is written first, and leaves one
// row. Two stores with their own spools share one MySQL database, as two
// nodes do.
func TestARefusalNeverReplacesTheCallAnotherNodeTook(t *testing.T) {
	shared := freshMySQLDatabase(t, mysqlBaseDSN(t))
	node := func() *Store {
		env := &testEnv{dialect: dialectMySQL, dsn: shared, dataDir: t.TempDir(), clock: newFakeClock()}
		return env.open(t)
	}
	nodeA, nodeB := node(), node()
	refusal("moved-later").feed(nodeA.Recorder())
	flush(t, nodeA)
	quickCall("moved-later", t0).feed(nodeB.Recorder())
	quickCall("moved-first", t0).feed(nodeB.Recorder())
	flush(t, nodeB)
	refusal("moved-first").feed(nodeA.Recorder())
	refusal("refused-everywhere").feed(nodeA.Recorder())
	refusal("refused-everywhere").feed(nodeB.Recorder())
	flush(t, nodeA)
	flush(t, nodeB)
	for _, id := range []string{"moved-later", "moved-first"} {
		if got := getCall(t, nodeA, id); got.Result != call.ResultSelfService || got.Answered.IsZero() {
			t.Errorf("%s: record %+v, want the answered call's", id, got.CallRecord)
		}
	}
	if got := getCall(t, nodeB, "refused-everywhere"); got.Result != call.ResultBlocked {
		t.Errorf("a call every node refused: %+v", got.CallRecord)
	}
	if n := count(t, nodeA, "calls", ""); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

// A refusal alone is written, on either database.
func TestARefusalIsRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		refusal("refused").feed(s.Recorder())
		flush(t, s)
		if got := getCall(t, s, "refused"); got.Result != call.ResultBlocked || got.EndReason != "cluster_down" {
			t.Errorf("record %+v", got.CallRecord)
		}
	})
}
