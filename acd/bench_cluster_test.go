package acd

import (
	"testing"

	"github.com/hotline-oss/hotline/acd/strategy"
)

// clusterBenchSize is a national line's leader: 50 000 callers waiting
// across the queues and 5 000 agents (bench/README.md, docs/cluster.md).
var clusterBenchSize = benchSize{agents: 5000, Waiting: 50000}

// BenchmarkLeaderDecisions measures the decision rate of the one ACD a
// cluster's leader runs, at a national line's size. One operation is one
// routing decision: a talking agent's wrap-up ends and the ACD offers that
// agent the best waiting call; the agent answers and a new caller joins, so
// 50 000 keep waiting. decisions/s counts whole cycles on one goroutine
// (run with -cpu 1 for one core); the target is at least 5 000/s.
//
//   - agent-ready: the cycle above, timed whole.
//   - call-arrives: a caller joins a queue whose 1 000 agents are idle and
//     longest-idle picks one; then the caller hangs up.
func BenchmarkLeaderDecisions(b *testing.B) {
	b.Run("agent-ready", func(b *testing.B) {
		benchAgentReady(b, clusterBenchSize)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
	b.Run("call-arrives", func(b *testing.B) {
		benchCallArrives(b, strategy.LongestIdle, clusterBenchSize)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
}
