package rolling

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// DefaultServiceLevelTarget is the default service_level_target (docs/kpis.md).
const DefaultServiceLevelTarget = 0.80

// Option configures the rolling windows.
type Option func(*Set) error

// WithAgentQueues says which queues each agent serves, so an agent's talk,
// hold and available time count towards the occupancy of each of them.
// Agents missing from the map do not count towards any queue's occupancy.
func WithAgentQueues(agentQueues map[string][]string) Option {
	return func(w *Set) error {
		w.agentQueues = agentQueues
		return nil
	}
}

// WithServiceLevelTargets sets each queue's service_level_target (0–1],
// which the wallboard colours service level against.
func WithServiceLevelTargets(targets map[string]float64) Option {
	return func(w *Set) error {
		if err := CheckTargets(targets); err != nil {
			return err
		}
		w.targets = targets
		return nil
	}
}

// WithRecordsOnly makes the windows ignore the live event stream: they
// hold only what Rebuild folds in. A node of a cluster sees only
// its own callers' events, so it refills its windows from the shared
// records instead, and every node shows the cluster's figures.
func WithRecordsOnly() Option {
	return func(w *Set) error {
		w.recordsOnly = true
		return nil
	}
}

// Set holds the rolling windows of every queue and the last state of
// every agent, fed from the event stream.
type Set struct {
	mu          sync.Mutex
	loc         *time.Location
	clock       Clock
	thresholds  map[string]QueueThresholds
	targets     map[string]float64
	agentQueues map[string][]string
	agentState  map[string]string
	queues      map[string]*queueWindow
	latest      time.Time // time never runs backwards, even for a queue seen first
	recordsOnly bool      // live events are ignored (WithRecordsOnly)
}

var errNoClock = errors.New("metrics: windows: a clock and a location are required")

// New starts the windows of the configured queues (15m, 30m and today
// since midnight in loc); the clock is read only when figures are asked
// for.
func New(loc *time.Location, clock Clock, thresholds map[string]QueueThresholds, opts ...Option) (*Set, error) {
	if loc == nil || clock == nil {
		return nil, errNoClock
	}
	w := &Set{
		loc: loc, clock: clock, thresholds: thresholds,
		agentState: make(map[string]string),
		queues:     make(map[string]*queueWindow),
	}
	for _, opt := range opts {
		if err := opt(w); err != nil {
			return nil, err
		}
	}
	// Configured queues show on the wallboard before their first call.
	for name := range thresholds {
		w.queue(name)
	}
	return w, nil
}

func (w *Set) queue(name string) *queueWindow {
	q := w.queues[name]
	if q == nil {
		q = &queueWindow{}
		w.queues[name] = q
	}
	return q
}

// threshold is read with w.mu held: a reload may replace the thresholds.
func (w *Set) threshold(queue string) QueueThresholds {
	if t, ok := w.thresholds[queue]; ok {
		return t
	}
	return QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
}

// Goal returns a queue's service-level target and answer time; it locks,
// as a reload may replace both.
func (w *Set) Goal(queue string) (target float64, serviceLevel time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	target = DefaultServiceLevelTarget
	if t, ok := w.targets[queue]; ok {
		target = t
	}
	return target, w.threshold(queue).ServiceLevel
}

// Event folds one event into the windows at the moment it happened.
func (w *Set) Event(e call.Event) {
	switch e.Kind {
	case call.Queued, call.AgentAnswered, call.Abandoned, call.AgentStateChanged:
	default:
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.recordsOnly {
		return
	}
	w.fold(e)
}

// fold applies one window event with w.mu held.
func (w *Set) fold(e call.Event) {
	at := e.Time
	if at.IsZero() {
		at = w.clock.Now()
	}
	at = w.notBefore(at)
	switch e.Kind {
	case call.Queued:
		w.queue(e.Queue).queued(at, w.loc)
	case call.AgentAnswered:
		within := e.Wait <= w.threshold(e.Queue).ServiceLevel
		w.queue(e.Queue).answered(at, w.loc, e.Wait, within)
	case call.Abandoned:
		short := e.Wait <= w.threshold(e.Queue).ShortAbandon
		w.queue(e.Queue).abandoned(at, w.loc, short)
	case call.AgentStateChanged:
		w.agentChanged(at, e)
	}
}

// notBefore returns t, or the latest time already seen if t is earlier,
// so that a late event lands in the current bucket of every queue.
func (w *Set) notBefore(t time.Time) time.Time {
	if t.Before(w.latest) {
		return w.latest
	}
	w.latest = t
	return t
}

// occupancyClass sorts agent states for occupancy: busy counts as work,
// idle as available time, everything else (ringing, wrap-up, paused,
// logged out) is outside the formula.
func occupancyClass(state string) (busy, idle int64) {
	switch state {
	case "talking", "hold":
		return 1, 0
	case "available":
		return 0, 1
	}
	return 0, 0
}

func (w *Set) agentChanged(at time.Time, e call.Event) {
	prev, known := w.agentState[e.Agent]
	if !known {
		prev = e.PrevState
	}
	w.agentState[e.Agent] = e.State
	wasBusy, wasIdle := occupancyClass(prev)
	isBusy, isIdle := occupancyClass(e.State)
	if wasBusy == isBusy && wasIdle == isIdle {
		return
	}
	for _, name := range w.agentQueues[e.Agent] {
		w.queue(name).agentsChanged(at, w.loc, isBusy-wasBusy, isIdle-wasIdle)
	}
}

// Figures computes every queue's figures for window win as of now.
func (w *Set) Figures(win Window) map[string]Figures {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.notBefore(w.clock.Now())
	out := make(map[string]Figures, len(w.queues))
	for name, q := range w.queues {
		out[name] = q.figures(now, w.loc, win)
	}
	return out
}

// QueueNames lists the queues with windows, sorted.
func (w *Set) QueueNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := make([]string, 0, len(w.queues))
	for name := range w.queues {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
