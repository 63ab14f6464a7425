package clusterq

import (
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/queueing"
)

// BenchmarkClusteredQueueingCall drives one call per operation through
// the real wiring of a node's queueing on loopback: three nodes, each
// following the stream with its own router, one leading. The caller is
// on n1, the agent logged in through n2. Per call: Join and Enqueue on
// n1 (the queued and offer decisions come back), the fake phone answers
// at once (offer_result answered; the connect comes back), TalkEnded
// (the agent goes to wrap-up on n2), and the agent's ready through n2.
// Reported: the added latency of a routing decision, from the command
// sent to the caller's action delivered (p50, p99), and the NATS
// messages per call counted in and out by all three nodes: msgs/call with
// the lease renewals and heartbeats of the same time, call-msgs/call
// without them.
func BenchmarkClusteredQueueingCall(b *testing.B) {
	prefix := newTestPrefix(b)
	n1 := startNode(b, prefix, "n1")
	waitFor(b, "n1 to lead", func() bool { return leading(n1) })
	n2, n3 := startNode(b, prefix, "n2"), startNode(b, prefix, "n3")
	nodes := []*testNode{n1, n2, n3}
	if err := n2.q.Do(queueing.AgentLogin{Agent: "2001"}); err != nil {
		b.Fatal(err)
	}
	waitFor(b, "n1 to see the agent", func() bool { return n1.q.LoggedIn("2001") })
	messages := func() (n uint64) {
		for _, node := range nodes {
			s := node.conn.NC.Stats()
			n += s.InMsgs + s.OutMsgs
		}
		return n
	}
	var lat []time.Duration
	// The lease renewals and heartbeats go on whatever the calls: their
	// rate, measured idle, is taken out of call-msgs/call.
	idleFrom, idleStart := messages(), time.Now()
	time.Sleep(2 * time.Second)
	idleRate := float64(messages()-idleFrom) / time.Since(idleStart).Seconds()
	before, began := messages(), time.Now()
	b.ResetTimer()
	for i := range b.N {
		id := "c" + time.Now().Format("150405.000000000") + string(rune('a'+i%26))
		w := n1.q.Join(id, "555")
		start := time.Now()
		if err := n1.q.Do(queueing.Enqueue{Call: id, Queue: "billing"}); err != nil {
			b.Fatal(err)
		}
		if _, ok := next(b, w).(acd.Queued); !ok {
			b.Fatal("not queued first")
		}
		lat = append(lat, time.Since(start))
		if _, ok := next(b, w).(acd.Connect); !ok {
			b.Fatal("no connect")
		}
		n1.q.TakeLeg(id)
		if err := n1.q.Do(queueing.TalkEnded{Call: id, By: call.HangupByCaller}); err != nil {
			b.Fatal(err)
		}
		n1.q.Leave(id)
		if err := n2.q.Do(queueing.AgentReady{Agent: "2001"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	// The stats are read after the last messages have landed.
	time.Sleep(100 * time.Millisecond)
	msgs := float64(messages() - before)
	b.ReportMetric(msgs/float64(b.N), "msgs/call")
	b.ReportMetric(max(0, msgs-idleRate*time.Since(began).Seconds())/float64(b.N), "call-msgs/call")
}
