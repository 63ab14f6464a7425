package store

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// stalledDisk holds every spool fsync until released, as a disk that
// stops answering would.
type stalledDisk struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newStalledDisk() *stalledDisk {
	d := &stalledDisk{entered: make(chan struct{}, 1), release: make(chan struct{})}
	return d
}

func (d *stalledDisk) option(c *Config) {
	c.SpoolSync = func(f *os.File) error {
		select {
		case d.entered <- struct{}{}:
		default:
		}
		<-d.release
		return f.Sync()
	}
}

func (d *stalledDisk) free() { d.once.Do(func() { close(d.release) }) }

// During an outage the Recorder and SaveAgentStatus run on the event bus,
// under the ACD's lock: a disk that stalls must hold up neither. The
// records wait in the spiller's backlog, are counted, and all reach the
// database in order once the disk and the database are back.
func TestStalledSpoolDiskDoesNotHoldProducers(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		fs := &faultySink{}
		disk := newStalledDisk()
		s := env.open(t, withFaults(fs), disk.option, func(c *Config) { c.QueueSize = 4 })
		t.Cleanup(disk.free) // runs before the store's Close
		r := s.Recorder()
		fs.setFailing(true)
		ids := callIDs("stall", 20)
		quickCall(ids[0], at(0)).feed(r)
		if err := s.Flush(context.Background()); !errors.Is(err, errOutage) {
			t.Fatalf("flush during outage: err = %v, want the outage", err)
		}
		quickCall(ids[1], at(1)).feed(r)
		<-disk.entered // the spiller is stuck in fsync

		done := make(chan struct{})
		go func() {
			defer close(done)
			for i, id := range ids[2:] {
				quickCall(id, at(float64(i+2))).feed(r)
			}
			r.HandleEvent(call.Event{Kind: call.AgentStateChanged, Agent: "alice", State: "paused",
				PrevState: "available", Time: at(3)})
			s.SaveAgentStatus(AgentStatus{Agent: "alice", State: "paused", Since: at(3), Updated: at(3)})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("producers are waiting for the stalled disk")
		}
		st := s.Stats()
		if st.SpillBacklog != len(ids)-2+2 || st.SpillOverflow == 0 || st.Spilled != int64(len(ids)-1+2) {
			t.Fatalf("stats with the disk stalled = %+v, want %d in the backlog, overflow counted",
				st, len(ids))
		}

		disk.free()
		spooled(t, s)
		if st := s.Stats(); st.SpillBacklog != 0 || st.SpoolRecords != len(ids)+2 {
			t.Fatalf("stats once the disk answers = %+v, want %d spooled", st, len(ids)+2)
		}
		fs.setFailing(false)
		flush(t, s)
		checkCallsWritten(t, s, fs, ids)
		if n := count(t, s, "agent_states", "agent = ?", "alice"); n != 1 {
			t.Errorf("agent states = %d, want 1", n)
		}
	})
}
