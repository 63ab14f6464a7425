package metrics

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

type benchClock struct{ t time.Time }

func (c *benchClock) Now() time.Time { return c.t }

// BenchmarkScrape100Queues2000Agents is one /metrics scrape of a large
// hotline: 100 queues with traffic in every series, 2 000 agents (20 per
// queue) counted by state, rolling windows on. Target: under 50 ms.
func BenchmarkScrape100Queues2000Agents(b *testing.B) {
	m := New()
	clock := &benchClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	thresholds := map[string]QueueThresholds{}
	agentQueues := map[string][]string{}
	var names []string
	for q := 0; q < 100; q++ {
		name := fmt.Sprintf("queue%03d", q)
		names = append(names, name)
		thresholds[name] = QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
		for a := 0; a < 20; a++ {
			agentQueues[fmt.Sprintf("%d", 10000+q*20+a)] = []string{name}
		}
	}
	if err := m.EnableWindows(time.UTC, clock, thresholds, WithAgentQueues(agentQueues)); err != nil {
		b.Fatal(err)
	}
	m.SetQueueThresholds(thresholds)
	infos := make([]QueueInfo, 0, len(names))
	for _, n := range names {
		infos = append(infos, QueueInfo{Name: n})
	}
	m.InitQueues(infos, LabelValues{TransferKinds: []string{"blind", "attended"},
		Categories: []string{"consult", "repair", "billing", "complaint", "suggestion"}})
	m.SetSnapshotSource(func() []QueueSnapshot {
		out := make([]QueueSnapshot, 0, len(names))
		for _, n := range names {
			out = append(out, QueueSnapshot{Name: n, Waiting: 3, OldestWaitSeconds: 40, ExpectedWaitSeconds: 90,
				Agents: map[string]int{"available": 5, "talking": 10, "wrapup": 3, "paused": 2}})
		}
		return out
	})
	// An hour of traffic: 50 calls per queue through every stage.
	for i := 0; i < 50; i++ {
		for q, n := range names {
			id := fmt.Sprintf("c%d-%d", q, i)
			at := clock.t.Add(time.Duration(i) * time.Minute)
			m.HandleEvent(call.Event{Kind: call.Queued, CallID: id, Queue: n, Time: at})
			m.HandleEvent(call.Event{Kind: call.AgentAnswered, CallID: id, Queue: n, Wait: 15 * time.Second, Time: at.Add(15 * time.Second)})
			m.HandleEvent(call.Event{Kind: call.TalkEnded, CallID: id, Queue: n, Time: at.Add(4 * time.Minute)})
			m.HandleEvent(call.Event{Kind: call.WrapupEnded, CallID: id, Queue: n, Time: at.Add(5 * time.Minute)})
		}
	}
	clock.t = clock.t.Add(55 * time.Minute)
	h := m.Handler()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
		if i == 0 {
			b.ReportMetric(float64(rec.Body.Len())/1024, "KiB/scrape")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scrape")
}
