package care

import (
	"context"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/store"
)

// Store is what the care features read and write in the records; nil
// without a store.
type Store interface {
	LastAgent(ctx context.Context, caller string, since time.Time) (string, error)
	ComplaintCount(ctx context.Context, caller, category string, from, to time.Time) (int, error)
	SaveRecording(rec store.Recording) error
	ExpiredRecordings(ctx context.Context, queue string, cutoff time.Time, limit int) ([]store.Recording, error)
	DeleteRecording(ctx context.Context, callID string) error
}

// Clock tells the server's time.
type Clock interface{ Now() time.Time }

// Deps are what the care features work with.
type Deps struct {
	Store    Store // nil: no sticky agent, no complainer count, no recording rows
	Registry prometheus.Registerer
	// Subscribe adds a subscriber of the call events (the care metrics and
	// the complaint cache follow them).
	Subscribe func(call.Subscriber)
	Publish   func(call.Event)
	// MoveTo moves a call to a stage of the live gauges (the survey).
	MoveTo  func(callID string, stage metrics.Stage)
	Clock   Clock
	Log     *slog.Logger
	DataDir string // recordings go under DataDir/recordings
}

// Service runs the care features. Each is configured per queue (repeat
// complainers globally) and off unless configured.
type Service struct {
	deps    Deps
	log     *slog.Logger
	metrics *metrics.Care
	queues  map[string]config.Queue  // as at start: the names the startup sweeper covers
	live    atomic.Pointer[settings] // swapped whole by a reload (reload.go)
	recDir  string                   // data_dir/recordings
	loc     *time.Location

	// lookupTimeout bounds every store look-up made while a caller waits;
	// on timeout or error the feature falls back to normal routing.
	lookupTimeout time.Duration
	complaints    *complaintCache

	bg     sync.WaitGroup // recording saves in flight and the retention sweeper
	ticker *time.Ticker   // the sweeper's, when a queue records
	stop   chan struct{}
	closed sync.Once

	sweepOnce    sync.Once    // the reload's sweeper starts at most once
	sweepMu      sync.Mutex   // guards reloadTicker against close
	reloadTicker *time.Ticker // the sweeper a reload started, if any
}

// New builds the care features of cfg and registers their metrics. It
// runs after the store is open and before the ACD is built, which takes
// its sticky observer (StickyOption).
func New(cfg *config.Config, deps Deps) (*Service, error) {
	names := make([]string, 0, len(cfg.Queues))
	for name := range cfg.Queues {
		names = append(names, name)
	}
	sort.Strings(names)
	m, err := metrics.NewCare(deps.Registry, names)
	if err != nil {
		return nil, err
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	deps.Subscribe(m)
	svc := &Service{
		deps: deps, log: deps.Log, metrics: m, queues: cfg.Queues,
		recDir: filepath.Join(deps.DataDir, "recordings"), loc: cfg.ReportLocation(),
		lookupTimeout: 200 * time.Millisecond,
		complaints:    newComplaintCache(time.Minute, 10000),
		stop:          make(chan struct{}),
	}
	svc.live.Store(newSettings(cfg))
	deps.Subscribe(svc.complaints)
	if svc.recordingConfigured() {
		svc.ticker = time.NewTicker(time.Hour)
		svc.bg.Add(1)
		go svc.sweepLoop(svc.ticker.C)
	}
	return svc, nil
}

// StickyOption makes the ACD report sticky-agent outcomes to the metrics.
func (svc *Service) StickyOption() acd.Option {
	return acd.WithStickyObserver(func(o acd.StickyOutcome) { svc.metrics.StickyOffer(o.Result) })
}

// Close stops the retention sweeper and waits for recording saves.
func (svc *Service) Close() {
	if svc == nil {
		return
	}
	svc.closed.Do(func() {
		close(svc.stop)
		if svc.ticker != nil {
			svc.ticker.Stop()
		}
		svc.sweepMu.Lock()
		if svc.reloadTicker != nil {
			svc.reloadTicker.Stop()
		}
		svc.sweepMu.Unlock()
	})
	svc.bg.Wait()
}

// queue returns a queue's care settings as of the last reload.
func (svc *Service) queue(name string) config.Queue { return svc.settings().queue(name) }

// lookupCtx is the bounded context of a look-up made while a caller waits.
func (svc *Service) lookupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), svc.lookupTimeout)
}

// CheckPrompts reports the care prompts that cfg needs and the prompt set
// lacks (has reports whether a language has a prompt).
func CheckPrompts(cfg *config.Config, has func(lang, name string) bool) []error {
	need := map[string]bool{}
	for _, q := range cfg.Queues {
		if q.Survey != nil && q.Survey.Enabled {
			need[q.Survey.SurveyPrompt()] = true
			need["survey_invalid"], need["survey_thanks"], need["goodbye"] = true, true, true
		}
		if q.Recording != nil && q.Recording.Enabled && q.Recording.Announce {
			need["recording_notice"] = true
		}
	}
	var errs []error
	for _, lang := range cfg.Languages {
		for _, p := range slices.Sorted(maps.Keys(need)) {
			if !has(lang, p) {
				errs = append(errs, cfg.Errorf("queues", "queues: prompt %q missing for language %s", p, lang))
			}
		}
	}
	return errs
}
