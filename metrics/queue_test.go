package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/call"
)

// A scripted timeline through one queue, with every figure computed by hand.
func TestQueueSeriesFromATimeline(t *testing.T) {
	m := New()
	m.SetQueueThresholds(map[string]QueueThresholds{"billing": {ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}})
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	feed := func(e call.Event) { m.HandleEvent(e) }
	q := "billing"

	// a: answered after 12 s (within SL), talks 100 s with 30 s hold, 20 s ACW.
	feed(call.Event{Kind: call.Queued, CallID: "a", Queue: q, Time: at(0)})
	feed(call.Event{Kind: call.AgentOffered, CallID: "a", Queue: q, Agent: "1001", Time: at(10)})
	feed(call.Event{Kind: call.AgentAnswered, CallID: "a", Queue: q, Agent: "1001", Wait: 12 * time.Second, Time: at(12)})
	feed(call.Event{Kind: call.Held, CallID: "a", Queue: q, Time: at(40)})
	feed(call.Event{Kind: call.Unheld, CallID: "a", Queue: q, Time: at(70)})
	feed(call.Event{Kind: call.TalkEnded, CallID: "a", Queue: q, Time: at(142)})
	feed(call.Event{Kind: call.WrapupEnded, CallID: "a", Queue: q, Time: at(162)})
	// b: answered after 45 s (outside SL), transferred.
	feed(call.Event{Kind: call.Queued, CallID: "b", Queue: q, Time: at(1)})
	feed(call.Event{Kind: call.AgentAnswered, CallID: "b", Queue: q, Agent: "1002", Wait: 45 * time.Second, Time: at(46)})
	feed(call.Event{Kind: call.Transferred, CallID: "b", Queue: q, TransferKind: "blind", Target: "queue:general", Time: at(60)})
	// c: short abandon (3 s); d: real abandon (40 s); e: overflow after 300 s.
	feed(call.Event{Kind: call.Queued, CallID: "c", Queue: q, Time: at(2)})
	feed(call.Event{Kind: call.Abandoned, CallID: "c", Queue: q, Wait: 3 * time.Second, Time: at(5)})
	feed(call.Event{Kind: call.Queued, CallID: "d", Queue: q, Time: at(3)})
	feed(call.Event{Kind: call.Abandoned, CallID: "d", Queue: q, Wait: 40 * time.Second, Time: at(43)})
	feed(call.Event{Kind: call.Queued, CallID: "e", Queue: q, Time: at(4)})
	feed(call.Event{Kind: call.Overflowed, CallID: "e", Queue: q, Target: "queue:general", Wait: 300 * time.Second, Time: at(304)})
	feed(call.Event{Kind: call.DispositionSet, CallID: "a", Queue: q, Category: "billing", Resolved: true, Time: at(150)})

	s := m.queue
	for name, tc := range map[string]struct {
		got  float64
		want float64
	}{
		"offered":         {testutil.ToFloat64(s.offered.WithLabelValues(q)), 5},
		"answered":        {testutil.ToFloat64(s.answered.WithLabelValues(q)), 2},
		"within SL":       {testutil.ToFloat64(s.withinSL.WithLabelValues(q)), 1},
		"abandoned":       {testutil.ToFloat64(s.abandoned.WithLabelValues(q)), 2},
		"short abandoned": {testutil.ToFloat64(s.shortAbandoned.WithLabelValues(q)), 1},
		"overflowed":      {testutil.ToFloat64(s.overflowed.WithLabelValues(q, "queue:general")), 1},
		"transfers":       {testutil.ToFloat64(s.transfers.WithLabelValues(q, "blind")), 1},
		"dispositions":    {testutil.ToFloat64(s.dispositions.WithLabelValues(q, "billing", "yes")), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", name, tc.got, tc.want)
		}
	}
	// Histograms: the hand-computed sums.
	checkSum := func(name string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s sum = %v, want %v", name, got, want)
		}
	}
	checkSum("talk", histSum(t, m, "hotline_talk_seconds"), 100)
	checkSum("hold", histSum(t, m, "hotline_hold_seconds"), 30)
	checkSum("wrapup", histSum(t, m, "hotline_wrapup_seconds"), 20)
	checkSum("handle", histSum(t, m, "hotline_handle_seconds"), 150)
	checkSum("wait", histSum(t, m, "hotline_queue_wait_seconds"), 12+45+3+40+300)
}

func histSum(t *testing.T, m *Metrics, name string) float64 {
	t.Helper()
	sum := 0.0
	for _, mm := range familySeries(t, m, name) {
		sum += mm.GetHistogram().GetSampleSum()
	}
	return sum
}

func TestSnapshotGauges(t *testing.T) {
	m := New()
	m.SetSnapshotSource(func() []QueueSnapshot {
		return []QueueSnapshot{{Name: "general", Waiting: 3, OldestWaitSeconds: 42, ExpectedWaitSeconds: 90,
			Agents: map[string]int{"available": 2, "talking": 1}}}
	})
	n, err := testutil.GatherAndCount(m.Registry(), "hotline_queue_waiting_calls", "hotline_agents")
	if err != nil || n != 1+len(AgentStates) {
		t.Fatalf("series %d err %v", n, err)
	}
}
