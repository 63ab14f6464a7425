package app

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/metrics"
)

// careRuntime runs the customer-care features around the queue: the
// post-call survey, the sticky agent, repeat-complainer routing and
// quality recording. Each is configured per queue (repeat complainers
// globally) and off unless configured.
type careRuntime struct {
	s       *Server
	metrics *metrics.Care
	queues  map[string]config.Queue      // as at start: the names the startup sweeper covers
	live    atomic.Pointer[careSettings] // swapped whole by a reload (care_reload.go)
	recDir  string                       // data_dir/recordings
	loc     *time.Location

	// lookupTimeout bounds every store look-up made while a caller waits;
	// on timeout or error the feature falls back to normal routing.
	lookupTimeout time.Duration
	complaints    *complaintCache
	counter       complaintCounter // the store; nil without one

	bg     sync.WaitGroup // recording saves in flight and the retention sweeper
	ticker *time.Ticker   // the sweeper's, when a queue records
	stop   chan struct{}
	closed sync.Once

	sweepOnce    sync.Once    // the reload's sweeper starts at most once
	sweepMu      sync.Mutex   // guards reloadTicker against close
	reloadTicker *time.Ticker // the sweeper a reload started, if any
}

// careState is what one queued call carries for the care features.
type careState struct {
	agent  string        // the agent who answered (for the survey)
	prefer string        // sticky agent for the first enqueue, then cleared
	grace  time.Duration // how long to wait for prefer
	// settings are the care settings as the call entered its queue: a
	// reload meanwhile does not change its survey or recording.
	settings *careSettings
}

// startCare builds the care runtime and registers its metrics. It runs in
// Start after the store is open and before the ACD is built, which takes
// its sticky observer.
func (s *Server) startCare() error {
	var names []string
	for name := range s.cfg.Queues {
		names = append(names, name)
	}
	m, err := metrics.NewCare(s.metrics.Registry(), names)
	if err != nil {
		return err
	}
	s.bus.Subscribe(m)
	s.care = &careRuntime{
		s: s, metrics: m, queues: s.cfg.Queues,
		recDir: filepath.Join(s.cfg.DataDir, "recordings"), loc: s.cfg.ReportLocation(),
		lookupTimeout: 200 * time.Millisecond,
		complaints:    newComplaintCache(time.Minute, 10000),
		stop:          make(chan struct{}),
	}
	if s.store != nil {
		s.care.counter = s.store
	}
	s.care.live.Store(newCareSettings(s.cfg))
	s.bus.Subscribe(s.care.complaints)
	if s.care.recordingConfigured() {
		s.care.ticker = time.NewTicker(time.Hour)
		s.care.bg.Add(1)
		go s.care.sweepLoop(s.care.ticker.C)
	}
	return nil
}

// stickyOption makes the ACD report sticky-agent outcomes to the metrics.
func (cr *careRuntime) stickyOption() acd.Option {
	return acd.WithStickyObserver(func(o acd.StickyOutcome) { cr.metrics.StickyOffer(o.Result) })
}

// close stops the retention sweeper and waits for recording saves.
func (cr *careRuntime) close() {
	if cr == nil {
		return
	}
	cr.closed.Do(func() {
		close(cr.stop)
		if cr.ticker != nil {
			cr.ticker.Stop()
		}
		cr.sweepMu.Lock()
		if cr.reloadTicker != nil {
			cr.reloadTicker.Stop()
		}
		cr.sweepMu.Unlock()
	})
	cr.bg.Wait()
}

// queue returns a queue's care settings as of the last reload.
func (cr *careRuntime) queue(name string) config.Queue { return cr.settings().queue(name) }

// lookupCtx is the bounded context of a look-up made while a caller waits.
func (cr *careRuntime) lookupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), cr.lookupTimeout)
}

// checkCarePrompts reports the care prompts that a configuration needs and
// the prompt set lacks.
func (s *Server) checkCarePrompts() []error {
	need := map[string]bool{}
	for _, q := range s.cfg.Queues {
		if q.Survey != nil && q.Survey.Enabled {
			need[q.Survey.SurveyPrompt()] = true
			need["survey_invalid"], need["survey_thanks"], need["goodbye"] = true, true, true
		}
		if q.Recording != nil && q.Recording.Enabled && q.Recording.Announce {
			need["recording_notice"] = true
		}
	}
	var errs []error
	for _, lang := range s.cfg.Languages {
		for _, p := range sortedKeys(need) {
			if !s.prompts.Has(lang, p) {
				errs = append(errs, s.cfg.Errorf("queues", "queues: prompt %q missing for language %s", p, lang))
			}
		}
	}
	return errs
}

// beforeQueue runs when the IVR hands a caller to a queue: a repeat
// complainer goes to the senior queue, the caller hears that the call may
// be recorded, and a returning caller's last agent is looked up. left
// reports that the caller hung up meanwhile.
func (qc *queueCall) beforeQueue(queue string, priority int) (string, int, bool) {
	cr := qc.s.care
	if cr == nil {
		return queue, priority, false
	}
	queue, priority = cr.routeComplainer(qc.c, queue, priority)
	settings := cr.settings()
	if r := (careState{settings: settings}).recording(queue); r != nil && r.Announce {
		if qc.leg.playAndWait([]ivr.PromptRef{qc.ref("recording_notice")}) {
			return queue, priority, true
		}
	}
	qc.care = cr.preferAgent(qc.c, queue, settings)
	return queue, priority, false
}
