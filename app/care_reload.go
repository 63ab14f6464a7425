package app

import (
	"time"

	"github.com/hotline-oss/hotline/config"
)

// careSettings is what the care features read per queue (survey,
// sticky_agent, recording) and globally (repeat_complaints). A reload
// publishes a new one; nothing in it changes once published, so a call
// that captured it at queue entry keeps the settings it started with.
type careSettings struct {
	queues map[string]config.Queue
	repeat *config.RepeatComplaints
}

func newCareSettings(cfg *config.Config) *careSettings {
	return &careSettings{queues: cfg.Queues, repeat: cfg.RepeatComplaints}
}

// settings returns the care settings as of the last reload.
func (cr *careRuntime) settings() *careSettings {
	if cr == nil {
		return nil
	}
	return cr.live.Load()
}

func (cr *careRuntime) repeatSetting() *config.RepeatComplaints {
	if cs := cr.settings(); cs != nil {
		return cs.repeat
	}
	return nil
}

// queue returns a queue's care settings from a snapshot (a zero Queue,
// every feature off, when there is none).
func (cs *careSettings) queue(name string) config.Queue {
	if cs == nil {
		return config.Queue{}
	}
	return cs.queues[name]
}

// recording is the recording decision of a call: from the settings it
// captured when it entered the queue, so a caller who did not hear the
// recording notice is not recorded because a reload turned it on since.
func (st careState) recording(queue string) *config.Recording {
	if r := st.settings.queue(queue).Recording; r != nil && r.Enabled {
		return r
	}
	return nil
}

// reload publishes cfg's care settings: calls entering a queue from now
// on use them. A queue that starts recording gets the retention sweeper.
func (cr *careRuntime) reload(cfg *config.Config) {
	if cr == nil {
		return
	}
	cr.live.Store(newCareSettings(cfg))
	if len(cr.unsweptQueues()) > 0 {
		cr.startReloadSweeper()
	}
}

// unsweptQueues lists the recording queues with a retention that the
// startup sweeper (recording.go, over the queues known at start) does
// not cover.
func (cr *careRuntime) unsweptQueues() []string {
	var out []string
	for _, name := range sortedKeys(cr.settings().queues) {
		r := cr.recording(name)
		if r == nil || r.RetentionDays <= 0 {
			continue
		}
		if _, known := cr.queues[name]; known && cr.ticker != nil {
			continue
		}
		out = append(out, name)
	}
	return out
}

// startReloadSweeper runs, once, the hourly retention sweep of the queues
// the startup sweeper does not cover.
func (cr *careRuntime) startReloadSweeper() {
	cr.sweepOnce.Do(func() {
		cr.sweepMu.Lock()
		defer cr.sweepMu.Unlock()
		select {
		case <-cr.stop:
			return // closing: nothing new starts
		default:
		}
		cr.reloadTicker = time.NewTicker(time.Hour)
		cr.bg.Add(1)
		go cr.reloadSweepLoop(cr.reloadTicker.C)
	})
}

func (cr *careRuntime) reloadSweepLoop(ticks <-chan time.Time) {
	defer cr.bg.Done()
	for {
		cr.sweepUnswept(cr.s.clock.Now())
		select {
		case <-ticks:
		case <-cr.stop:
			return
		}
	}
}

func (cr *careRuntime) sweepUnswept(now time.Time) {
	if cr.s.store == nil {
		return
	}
	for _, name := range cr.unsweptQueues() {
		r := cr.recording(name)
		if r == nil {
			continue // a reload turned it off meanwhile
		}
		n, err := cr.sweepQueue(name, now.AddDate(0, 0, -r.RetentionDays))
		if err != nil {
			cr.s.log.Warn("recording retention sweep", "queue", name, "err", err)
		}
		if n > 0 {
			cr.s.log.Info("expired recordings deleted", "queue", name, "count", n)
		}
	}
}
