package care

import (
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/config"
)

// settings is what the care features read per queue (survey,
// sticky_agent, recording) and globally (repeat_complaints). A reload
// publishes a new one; nothing in it changes once published, so a call
// that captured it at queue entry keeps the settings it started with.
type settings struct {
	queues map[string]config.Queue
	repeat *config.RepeatComplaints
}

func newSettings(cfg *config.Config) *settings {
	return &settings{queues: cfg.Queues, repeat: cfg.RepeatComplaints}
}

// settings returns the care settings as of the last reload.
func (svc *Service) settings() *settings { return svc.live.Load() }

func (svc *Service) repeatSetting() *config.RepeatComplaints {
	if cs := svc.settings(); cs != nil {
		return cs.repeat
	}
	return nil
}

// queue returns a queue's care settings from a snapshot (a zero Queue,
// every feature off, when there is none).
func (cs *settings) queue(name string) config.Queue {
	if cs == nil {
		return config.Queue{}
	}
	return cs.queues[name]
}

// recording is the recording decision of a call: from the settings it
// captured when it entered the queue, so a caller who did not hear the
// recording notice is not recorded because a reload turned it on since.
func (cc *Call) recording(queue string) *config.Recording {
	if r := cc.settings.queue(queue).Recording; r != nil && r.Enabled {
		return r
	}
	return nil
}

// Reload publishes cfg's care settings: calls entering a queue from now
// on use them. A queue that starts recording gets the retention sweeper.
func (svc *Service) Reload(cfg *config.Config) {
	if svc == nil {
		return
	}
	svc.live.Store(newSettings(cfg))
	if len(svc.unsweptQueues()) > 0 {
		svc.startReloadSweeper()
	}
}

// unsweptQueues lists the recording queues with a retention that the
// startup sweeper (recording.go, over the queues known at start) does
// not cover.
func (svc *Service) unsweptQueues() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(svc.settings().queues)) {
		r := svc.recording(name)
		if r == nil || r.RetentionDays <= 0 {
			continue
		}
		if _, known := svc.queues[name]; known && svc.ticker != nil {
			continue
		}
		out = append(out, name)
	}
	return out
}

// startReloadSweeper runs, once, the hourly retention sweep of the queues
// the startup sweeper does not cover.
func (svc *Service) startReloadSweeper() {
	svc.sweepOnce.Do(func() {
		svc.sweepMu.Lock()
		defer svc.sweepMu.Unlock()
		select {
		case <-svc.stop:
			return // closing: nothing new starts
		default:
		}
		svc.reloadTicker = time.NewTicker(time.Hour)
		svc.bg.Add(1)
		go svc.reloadSweepLoop(svc.reloadTicker.C)
	})
}

func (svc *Service) reloadSweepLoop(ticks <-chan time.Time) {
	defer svc.bg.Done()
	for {
		svc.sweepUnswept(svc.deps.Clock.Now())
		select {
		case <-ticks:
		case <-svc.stop:
			return
		}
	}
}

func (svc *Service) sweepUnswept(now time.Time) {
	if svc.deps.Store == nil {
		return
	}
	for _, name := range svc.unsweptQueues() {
		r := svc.recording(name)
		if r == nil {
			continue // a reload turned it off meanwhile
		}
		n, err := svc.sweepQueue(name, now.AddDate(0, 0, -r.RetentionDays))
		if err != nil {
			svc.log.Warn("recording retention sweep", "queue", name, "err", err)
		}
		if n > 0 {
			svc.log.Info("expired recordings deleted", "queue", name, "count", n)
		}
	}
}
