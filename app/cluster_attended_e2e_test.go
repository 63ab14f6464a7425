package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// clusterConsult sets up a consult across nodes: a caller of node A is
// served by 1001, whose phone registered through B; 1001 holds and calls
// 1002, whose phone registered through C. B redirects the consult call to
// A, which rings 1002 and bridges the consult: both hear each other.
func clusterConsult(t *testing.T, edit func(*config.Config)) (nodes [3]*harness, caller, legA, consultA, consultB *testphone.Call, id string) {
	t.Helper()
	c := newAppCluster(t, sharedNATS)
	a := c.nodeWith("a", "127.0.0.11", edit)
	b := c.nodeWith("b", "127.0.0.12", edit)
	n3 := c.nodeWith("c", "127.0.0.13", edit)
	first, caller, legA, id := servedAcrossNodes(t, b, a)
	hearEachOther(t, caller, legA, "1001") // caller 500 Hz, 1001 1300 Hz
	heard(t, caller, 50, "a second of the caller with 1001")
	colleague := n3.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	waitFor(t, "node B to see 1002", 5*time.Second, func() bool { return b.srv.acd.LoggedIn("1002") })

	if err := legA.Hold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	a.events.wait(t, id, "held", func(e call.Event) bool { return e.Kind == call.Held })
	consultA, err := first.Call(ctxT(t, 10*time.Second), "1002")
	if err != nil {
		t.Fatalf("consult call to 1002: %v", err)
	}
	t.Cleanup(func() { _ = consultA.Hangup(ctxT(t, 5*time.Second)) })
	consultB = waitIncoming(t, colleague)
	a.events.wait(t, consultA.CallID(), "consult started on the caller's node", func(e call.Event) bool {
		return e.Kind == call.ConsultStarted && e.Agent == "1001" && e.Target == "1002"
	})
	consultHearEachOther(t, consultA, consultB)
	return [3]*harness{a, b, n3}, caller, legA, consultA, consultB, id
}

// TestClusterAttendedTransferAcrossNodes: 1001 (phone through B) serves a
// caller of A and consults 1002 (phone through C); the REFER with
// Replaces on 1001's call with A hands the caller to 1002: they hear
// each other, 1001 goes to wrap-up, 1002 has the call, the events are
// announced once in the cluster and the recording goes on in one file.
func TestClusterAttendedTransferAcrossNodes(t *testing.T) {
	nodes, caller, legA, consultA, legB, id := clusterConsult(t, recordGeneral)
	a, b, n3 := nodes[0], nodes[1], nodes[2]
	heard(t, caller, 25, "caller hears music on hold during the consult")

	referAndHandOver(t, legA, consultA)
	attendedTransferred(t, a.events, b.events, n3.events, id, consultA.CallID())
	waitFor(t, "every node to see 1002 with the caller", 5*time.Second, func() bool {
		for _, h := range nodes {
			info, err := h.srv.acd.Agent("1002")
			if err != nil || info.CallID != id || info.State.String() != "talking" {
				return false
			}
		}
		return true
	})

	callerAnd1002HearEachOther(t, caller, legB)
	heard(t, caller, 50, "a second of the caller with 1002")

	hangUpReleases(t, caller, legB)
	end := a.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end %s by %s", end.Result, end.HangupBy)
	}
	n3.events.wait(t, id, "1002 in wrap-up", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1002" && e.State == "wrapup"
	})
	// Each event of the call and of the consult is announced by one node.
	for _, kind := range []call.Kind{call.Transferred, call.CallEnded} {
		if n := a.events.count(id, kind) + b.events.count(id, kind) + n3.events.count(id, kind); n != 1 {
			t.Errorf("%s announced %d times in the cluster", kind, n)
		}
	}
	talks := map[string]int{}
	for _, h := range nodes {
		for _, e := range h.events.all(id, call.TalkEnded) {
			talks[e.Agent]++
		}
	}
	if talks["1001"] != 1 || talks["1002"] != 1 || len(talks) != 2 {
		t.Errorf("talk ended announced %v times per agent, want once for 1001 and once for 1002", talks)
	}
	for _, kind := range []call.Kind{call.ConsultStarted, call.ConsultEnded} {
		if n := a.events.count(consultA.CallID(), kind) + b.events.count(consultA.CallID(), kind) + n3.events.count(consultA.CallID(), kind); n != 1 {
			t.Errorf("%s of the consult announced %d times in the cluster", kind, n)
		}
	}
	if n := a.metric("hotline_transfers_total", "queue", "general", "kind", "attended"); n != 1 {
		t.Errorf("attended transfers on A %v, want 1", n)
	}
	checkClusterTransferRecording(t, nodes, id)
}

// checkClusterTransferRecording: the caller's node saved one recording
// of the call, announced once, where 1001 is heard before the transfer
// and 1002 after it.
func checkClusterTransferRecording(t *testing.T, nodes [3]*harness, id string) {
	t.Helper()
	a := nodes[0]
	saved := a.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	n := 0
	for _, h := range nodes {
		n += h.events.count(id, call.RecordingSaved)
	}
	if n != 1 {
		t.Errorf("recording saved announced %d times in the cluster", n)
	}
	wav, err := os.ReadFile(filepath.Join(a.srv.cfg.DataDir, "recordings", filepath.FromSlash(saved.Detail)))
	if err != nil {
		t.Fatal(err)
	}
	left, right := stereoSamples(t, wav)
	l := toneBlocks(left, toneCaller, toneAgent, toneColleague)
	r := toneBlocks(right, toneCaller, toneAgent, toneColleague)
	t.Logf("left  %s\nright %s", l, r)
	if strings.Count(l, "A") < len(l)/2 {
		t.Errorf("the caller is on the left in %d of %d blocks", strings.Count(l, "A"), len(l))
	}
	lastAgent, firstColleague := strings.LastIndexByte(r, 'B'), strings.IndexByte(r, 'C')
	if strings.Count(r, "B") < 10 || strings.Count(r, "C") < 10 || firstColleague < lastAgent {
		t.Errorf("right channel %s: want a second of 1001, then a second of 1002", r)
	}
}

// TestClusterAttendedTransferAcrossNodesAfterTheConsultEnded: 1002 hangs
// up the consult first; the REFER with Replaces that follows is refused
// (NOTIFY 481) and the caller stays with 1001, who takes them back.
func TestClusterAttendedTransferAcrossNodesAfterTheConsultEnded(t *testing.T) {
	nodes, caller, legA, consultA, legB, id := clusterConsult(t, nil)
	a := nodes[0]
	if err := legB.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	a.events.wait(t, consultA.CallID(), "consult ended by 1002", func(e call.Event) bool {
		return e.Kind == call.ConsultEnded && e.Reason == "consulted_hangup"
	})
	code, err := legA.ReferReplaces(ctxT(t, 5*time.Second), consultA)
	if err != nil || code != 202 {
		t.Fatalf("REFER with Replaces: %d %v", code, err)
	}
	if final, err := legA.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 481 {
		t.Fatalf("transfer NOTIFY: %d %v, want 481", final, err)
	}
	if n := a.events.count(id, call.Transferred); n != 0 {
		t.Fatalf("a refused transfer was announced")
	}
	if err := legA.Unhold(ctxT(t, 5*time.Second)); err != nil {
		t.Fatalf("unhold: %v", err)
	}
	a.events.wait(t, id, "unheld", func(e call.Event) bool { return e.Kind == call.Unheld })
	legA.SendTone(1300)
	caller.SendTone(500)
	heard(t, legA, 25, "1001 hears the caller again")
	heard(t, caller, 25, "caller hears 1001 again")
	info, err := a.srv.acd.Agent("1001")
	if err != nil || info.CallID != id || info.State.String() != "talking" {
		t.Fatalf("1001 after the refused transfer: %+v %v", info, err)
	}
	agentHangsUp(t, a, caller, legA, id)
}
