package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/metrics/rolling"
)

var (
	serviceLevelDesc = prometheus.NewDesc("hotline_service_level_ratio",
		"Answered within service_level_seconds ÷ (offered − short abandoned) over the window; absent without calls.",
		[]string{"queue", "window"}, nil)
	abandonRatioDesc = prometheus.NewDesc("hotline_abandon_ratio",
		"(Abandoned − short abandoned) ÷ (offered − short abandoned) over the window; absent without calls.",
		[]string{"queue", "window"}, nil)
	asaDesc = prometheus.NewDesc("hotline_asa_seconds",
		"Average speed of answer: total queue wait of answered calls ÷ answered, over the window; absent without answers.",
		[]string{"queue", "window"}, nil)
	occupancyDesc = prometheus.NewDesc("hotline_occupancy_ratio",
		"(Talk + hold) ÷ (talk + hold + available idle) of the queue's agents over the window; absent without agent time.",
		[]string{"queue", "window"}, nil)
)

// windowCollector computes the rolling gauges at scrape time, so they are
// always current and cost nothing between scrapes. An undefined figure is
// left out rather than exported as a misleading 0.
type windowCollector struct{ set *rolling.Set }

func (c windowCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- serviceLevelDesc
	ch <- abandonRatioDesc
	ch <- asaDesc
	ch <- occupancyDesc
}

func (c windowCollector) Collect(ch chan<- prometheus.Metric) {
	for _, win := range Windows {
		for queue, f := range c.set.Figures(win) {
			emit := func(desc *prometheus.Desc, fig Figure) {
				if fig.Defined {
					ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, fig.Value, queue, string(win))
				}
			}
			emit(serviceLevelDesc, f.ServiceLevel)
			emit(abandonRatioDesc, f.AbandonRate)
			emit(asaDesc, f.ASA)
			emit(occupancyDesc, f.Occupancy)
		}
	}
}

// EnableWindows starts the rolling service-level windows (15m, 30m and
// today since midnight in loc) and registers their gauges. Call it once,
// before events flow; the clock is read only at scrape time.
func (m *Metrics) EnableWindows(loc *time.Location, clock Clock, thresholds map[string]QueueThresholds, opts ...WindowOption) error {
	set, err := rolling.New(loc, clock, thresholds, opts...)
	if err != nil {
		return err
	}
	if err := m.registry.Register(windowCollector{set: set}); err != nil {
		return fmt.Errorf("metrics: windows: %w", err)
	}
	m.windows.Store(set)
	return nil
}

// windowEvent feeds the rolling windows, if enabled.
func (m *Metrics) windowEvent(e call.Event) {
	if set := m.windows.Load(); set != nil {
		set.Event(e)
	}
}

// WindowFigures returns every queue's figures over one window as of now;
// nil until EnableWindows.
func (m *Metrics) WindowFigures(win Window) map[string]Figures {
	set := m.windows.Load()
	if set == nil {
		return nil
	}
	return set.Figures(win)
}

// AgentCounts are a queue's agents by what they are doing now.
type AgentCounts struct {
	Available int `json:"available"`
	Ringing   int `json:"ringing"`
	Talking   int `json:"talking"` // on hold included
	Wrapup    int `json:"wrapup"`
	Paused    int `json:"paused"`
}

// QueueFigures is one queue on the wallboard: live state from the ACD and
// today's KPIs. Undefined KPIs marshal as null.
type QueueFigures struct {
	Queue               string  `json:"queue"`
	DisplayName         string  `json:"display_name"` // how people see the queue
	Waiting             int     `json:"waiting"`
	OldestWaitSeconds   float64 `json:"oldest_wait_seconds"`
	ExpectedWaitSeconds float64 `json:"expected_wait_seconds"`

	Offered             int64   `json:"offered"`
	Answered            int64   `json:"answered"`
	Abandoned           int64   `json:"abandoned"`
	ServiceLevel        Figure  `json:"service_level"`
	ServiceLevelTarget  float64 `json:"service_level_target"`
	ServiceLevelSeconds float64 `json:"service_level_seconds"`
	AbandonRate         Figure  `json:"abandon_rate"`
	ASASeconds          Figure  `json:"asa_seconds"`
	Occupancy           Figure  `json:"occupancy"`

	Agents AgentCounts `json:"agents"`

	// Adherence: schedule adherence today of the queue's scheduled agents
	// (null when none was scheduled yet), filled in by the workforce
	// feature; AdherenceTarget is what it is coloured against.
	Adherence       Figure  `json:"adherence"`
	AdherenceTarget float64 `json:"adherence_target,omitempty"`
}

// Wallboard is the snapshot the wallboard shows: one entry per queue, in
// the ACD's order, or sorted by name when there is no live source.
func (m *Metrics) Wallboard() []QueueFigures {
	var live []QueueSnapshot
	if src := m.liveSource.Load(); src != nil {
		live = (*src)()
	}
	set := m.windows.Load()
	var today map[string]Figures
	if set != nil {
		today = set.Figures(WindowToday)
		if live == nil {
			for _, name := range set.QueueNames() {
				live = append(live, QueueSnapshot{Name: name})
			}
		}
	}
	out := make([]QueueFigures, 0, len(live))
	for _, q := range live {
		qf := QueueFigures{
			Queue: q.Name, DisplayName: m.DisplayName(q.Name), Waiting: q.Waiting,
			OldestWaitSeconds: q.OldestWaitSeconds, ExpectedWaitSeconds: q.ExpectedWaitSeconds,
			ServiceLevelTarget:  rolling.DefaultServiceLevelTarget,
			ServiceLevelSeconds: 20,
			Agents: AgentCounts{
				Available: q.Agents["available"], Ringing: q.Agents["ringing"],
				Talking: q.Agents["talking"] + q.Agents["hold"],
				Wrapup:  q.Agents["wrapup"], Paused: q.Agents["paused"],
			},
		}
		if set != nil {
			target, sl := set.Goal(q.Name)
			qf.ServiceLevelTarget, qf.ServiceLevelSeconds = target, sl.Seconds()
			f := today[q.Name]
			qf.Offered, qf.Answered, qf.Abandoned = f.Offered, f.Answered, f.Abandoned
			qf.ServiceLevel, qf.AbandonRate, qf.ASASeconds, qf.Occupancy = f.ServiceLevel, f.AbandonRate, f.ASA, f.Occupancy
		}
		out = append(out, qf)
	}
	return out
}
