package app

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/queueing"
)

// slowSpoolDisk holds every fsync of the store's spool for hold, as a disk
// that stalls during a database outage would, and tells whether one is
// being held right now.
type slowSpoolDisk struct {
	hold    time.Duration
	off     atomic.Bool  // the test is over: sync at once
	holding atomic.Int32 // fsyncs being held
	started atomic.Int32 // fsyncs held so far
}

func (d *slowSpoolDisk) sync(f *os.File) error {
	if !d.off.Load() {
		d.holding.Add(1)
		d.started.Add(1)
		time.Sleep(d.hold)
		d.holding.Add(-1)
	}
	return f.Sync()
}

// During a database outage every record goes to the disk spool. With each
// of the spool's fsyncs held for 500 ms, routing commands through the real
// ACD runtime (a call queued and abandoned, an agent paused and made
// ready: each publishes events the store records) must still take well
// under a millisecond: no subscriber waits for the disk under the ACD's
// lock. Only commands that began while an fsync was held count.
//
// The machine is shared: a round whose tail another process stretched is
// measured again, up to ten rounds. Waiting for the disk under the lock
// makes every round fail by orders of magnitude (each pause would take
// 500 ms), so a passing round is not luck.
func TestRoutingStaysFastWhileTheSpoolDiskStalls(t *testing.T) {
	const (
		iterations = 600  // four commands each
		minSamples = 1000 // commands that began during a hold, for a round to count
		rounds     = 10
		p99Bound   = time.Millisecond
	)
	disk := &slowSpoolDisk{hold: 500 * time.Millisecond}
	h := startPrepared(t, acdTestConfig, func(c *config.Config) {
		// Nothing listens there: the store opens degraded and spills.
		c.Database.DSN = "root@tcp(127.0.0.1:1)/hotline"
	}, func(s *Server) { s.spoolSync = disk.sync })
	t.Cleanup(func() { disk.off.Store(true) })
	rt := h.srv.acd
	st := h.srv.Store()
	if st.Stats().DatabaseConnected {
		t.Fatal("the store reached a database; the test needs an outage")
	}
	if got := h.metric("hotline_event_subscriber_dropped_total", "subscriber", "sse"); got != 0 {
		t.Fatalf("SSE streams dropped at start = %v", got)
	}
	// No phone registers here: log in past the runtime's phone check.
	mustDo(t, rt, testCommand{name: "login", apply: func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogin("1001") }})
	mustDo(t, rt, queueing.AgentPause{Agent: "1001", Reason: "lunch"})

	var p99s []time.Duration
	for round := range rounds {
		// The records of the last round are on their way: the spiller
		// holds its next fsync soon.
		waitFor(t, "an fsync held", 30*time.Second, func() bool { return disk.holding.Load() > 0 })
		spilledBefore := st.Stats().Spilled
		samples, all := routingRound(t, rt, disk, round, iterations)
		spilled := st.Stats().Spilled - spilledBefore
		// Every pause and ready is an agent-state record and a saved status.
		if spilled < int64(iterations*4) {
			t.Fatalf("spilled %d records during the round, want at least %d", spilled, iterations*4)
		}
		if len(samples) < minSamples {
			t.Logf("round %d: only %d of %d commands began while an fsync was held; again", round, len(samples), all)
			continue
		}
		slices.Sort(samples)
		p99 := samples[len(samples)*99/100]
		t.Logf("round %d: %d routing commands began while an fsync was held (of %d; %d fsyncs held so far): p50 %v, p99 %v, max %v",
			round, len(samples), all, disk.started.Load(), samples[len(samples)/2], p99, samples[len(samples)-1])
		if p99 < p99Bound {
			if got := h.metric("hotline_event_subscriber_spilled_total", "subscriber", "store"); got < float64(st.Stats().Spilled) {
				t.Errorf("spilled on /metrics = %v, want the store's %d", got, st.Stats().Spilled)
			}
			return
		}
		p99s = append(p99s, p99)
	}
	if len(p99s) == 0 {
		t.Fatalf("in %d rounds, never %d commands while an fsync was held", rounds, minSamples)
	}
	t.Fatalf("routing command p99 = %v with the spool disk stalled, want < %v", p99s, p99Bound)
}

// routingRound times iterations × four routing commands and returns the
// times of those that began while the disk held an fsync.
func routingRound(t *testing.T, rt queues, disk *slowSpoolDisk, round, iterations int) (stalled []time.Duration, all int) {
	t.Helper()
	measure := func(cmd queueing.Command) {
		held := disk.holding.Load() > 0
		began := time.Now()
		mustDo(t, rt, cmd)
		if took := time.Since(began); held {
			stalled = append(stalled, took)
		}
		all++
	}
	for i := range iterations {
		id := fmt.Sprintf("lat-%d-%04d", round, i)
		measure(queueing.Enqueue{Call: id, Queue: "general", Caller: "13800000001"})
		measure(queueing.Abandon{Call: id})
		measure(queueing.AgentReady{Agent: "1001"})
		measure(queueing.AgentPause{Agent: "1001", Reason: "lunch"})
	}
	return stalled, all
}

func mustDo(t *testing.T, rt queues, cmd queueing.Command) {
	t.Helper()
	if err := rt.Do(cmd); err != nil {
		t.Fatalf("%s: %v", cmd.Name(), err)
	}
}
