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
// lock.
//
// The machine is shared: a round whose tail another process stretched is
// measured again, up to three rounds. Waiting for the disk under the lock
// makes every round fail by orders of magnitude (each pause would take
// 500 ms), so a passing round is not luck.
func TestRoutingStaysFastWhileTheSpoolDiskStalls(t *testing.T) {
	const (
		iterations = 600 // four commands each
		rounds     = 3
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
	mustDo(t, rt, "login", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentLogin("1001") })
	mustDo(t, rt, "pause", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentPause("1001", "lunch") })
	waitFor(t, "the spool's first fsync held", 10*time.Second, func() bool { return disk.holding.Load() > 0 })

	var p99s []time.Duration
	for round := range rounds {
		spilledBefore := st.Stats().Spilled
		samples, stalled := routingRound(t, rt, disk, round, iterations)
		slices.Sort(samples)
		p99 := samples[len(samples)*99/100]
		spilled := st.Stats().Spilled - spilledBefore
		t.Logf("round %d: %d routing commands, %d while an fsync was held (%d held so far): p50 %v, p99 %v, max %v; %d records spilled",
			round, len(samples), stalled, disk.started.Load(), samples[len(samples)/2], p99, samples[len(samples)-1], spilled)
		if stalled < len(samples)*9/10 {
			t.Fatalf("only %d of %d commands ran while the disk was stalled", stalled, len(samples))
		}
		// Every pause and ready is an agent-state record and a saved status.
		if spilled < int64(iterations*4) {
			t.Fatalf("spilled %d records during the round, want at least %d", spilled, iterations*4)
		}
		if p99 < p99Bound {
			if got := h.metric("hotline_event_subscriber_spilled_total", "subscriber", "store"); got < float64(st.Stats().Spilled) {
				t.Errorf("spilled on /metrics = %v, want the store's %d", got, st.Stats().Spilled)
			}
			return
		}
		p99s = append(p99s, p99)
	}
	t.Fatalf("routing command p99 = %v in %d rounds with the spool disk stalled, want < %v", p99s, rounds, p99Bound)
}

// routingRound times iterations × four routing commands and counts those
// that began while the disk held an fsync.
func routingRound(t *testing.T, rt *acdRuntime, disk *slowSpoolDisk, round, iterations int) (samples []time.Duration, stalled int) {
	t.Helper()
	measure := func(what string, cmd func(a *acd.ACD) ([]acd.Action, error)) {
		held := disk.holding.Load() > 0
		began := time.Now()
		mustDo(t, rt, what, cmd)
		samples = append(samples, time.Since(began))
		if held {
			stalled++
		}
	}
	for i := range iterations {
		id := fmt.Sprintf("lat-%d-%04d", round, i)
		measure("enqueue", func(a *acd.ACD) ([]acd.Action, error) { return a.Enqueue(id, "general", "13800000001", 0) })
		measure("abandon", func(a *acd.ACD) ([]acd.Action, error) { return a.Abandon(id) })
		measure("ready", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentReady("1001") })
		measure("pause", func(a *acd.ACD) ([]acd.Action, error) { return a.AgentPause("1001", "lunch") })
	}
	return samples, stalled
}

func mustDo(t *testing.T, rt *acdRuntime, what string, cmd func(a *acd.ACD) ([]acd.Action, error)) {
	t.Helper()
	if err := rt.do(what, cmd); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
