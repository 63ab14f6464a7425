package workforce

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
)

// Storage is what the service needs of the record store.
type Storage interface {
	Shifts(ctx context.Context, f store.ShiftFilter) ([]store.Shift, error)
	Shift(ctx context.Context, id int64) (store.Shift, error)
	SaveShifts(ctx context.Context, remove []int64, add []store.Shift) ([]store.Shift, error)
	UpdateShift(ctx context.Context, sh store.Shift) error
	DeleteShift(ctx context.Context, id int64) error
	AgentStates(ctx context.Context, agent string, from, to time.Time) ([]store.AgentStateRecord, error)
	IntervalReport(ctx context.Context, p store.IntervalParams) ([]store.IntervalRow, error)
	AgentReport(ctx context.Context, p store.AgentParams) ([]store.AgentRow, error)
	CallTotals(ctx context.Context, from, to time.Time) (store.CallTotals, error)
}

// Agent is a configured agent as schedules see it.
type Agent struct {
	ID         string
	Name       string
	WorkNumber string
	Queues     []string // the teams the agent belongs to
}

// ScoreSource gives agents' monitoring (quality review) scores of a month,
// 0-100 by agent id; an agent without a reviewed call is absent. The
// quality review plugs in here; without it the column stays empty.
type ScoreSource interface {
	MonitoringScores(ctx context.Context, from, to time.Time) (map[string]float64, error)
}

// Options build a Service.
type Options struct {
	Store   Storage
	Publish func(call.Event) // alerts go out on the bus
	Now     func() time.Time
	Log     *slog.Logger
	// Tick: how often alerts are checked (default 5s); Refresh: how often
	// the shifts near now are read again (default 1m).
	Tick, Refresh time.Duration
}

// Service is the workforce feature: shifts, live adherence, alerts and
// reports.
type Service struct {
	opts    Options
	tracker *Tracker
	config  atomic.Pointer[setup]
	scores  atomic.Pointer[ScoreSource]
	raises  atomic.Pointer[func() bool] // nil: this node raises every alert
	writeMu sync.Mutex                  // an overlap check and its write are one step

	alerts  atomic.Uint64
	refresh chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
}

// setup is what a reload replaces whole.
type setup struct {
	rules  Rules
	agents map[string]Agent
	order  []string // agent ids, sorted
}

// New builds the service; Start begins its work.
func New(o Options, rules Rules, agents []Agent) *Service {
	if o.Tick <= 0 {
		o.Tick = 5 * time.Second
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Service{opts: o, tracker: NewTracker(), refresh: make(chan struct{}, 1)}
	s.Apply(rules, agents)
	return s
}

// Apply takes a reloaded configuration: rules and agents. Shifts are data
// and are read again from the database.
func (s *Service) Apply(rules Rules, agents []Agent) {
	set := &setup{rules: rules, agents: make(map[string]Agent, len(agents))}
	for _, a := range agents {
		set.agents[a.ID] = a
		set.order = append(set.order, a.ID)
	}
	slices.Sort(set.order)
	s.config.Store(set)
	s.Reload()
}

// Reload reads the shifts near now again (after a change made elsewhere,
// for example straight in the database).
func (s *Service) Reload() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}

// SetScores plugs in the monitoring scores of the quality review.
func (s *Service) SetScores(src ScoreSource) { s.scores.Store(&src) }

// SetRaisesAlerts makes the alerts depend on raise: in a cluster every
// node follows every agent, and only the one raise answers true for (the
// leader) publishes the alerts, so each goes out once. The others still
// note each stretch as alerted, so a node that starts raising does not
// raise again what was raised before it.
func (s *Service) SetRaisesAlerts(raise func() bool) { s.raises.Store(&raise) }

// HandleEvent follows agents' states (memory only: it runs on the bus).
func (s *Service) HandleEvent(e call.Event) { s.tracker.HandleEvent(e) }

func (s *Service) setup() *setup { return s.config.Load() }

func (s *Service) knownAgent(id string) bool { _, ok := s.setup().agents[id]; return ok }

// today is the start of the day containing t in the rules' time zone.
func (s *Service) today(t time.Time) time.Time {
	t = t.In(s.setup().rules.Loc())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// Start loads the shifts near now and today's agent states from the
// records, then checks alerts and refreshes the shifts on its own
// goroutine until Close.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go s.run(ctx)
}

// Close stops the goroutine.
func (s *Service) Close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
}

func (s *Service) run(ctx context.Context) {
	defer close(s.done)
	s.seed(ctx)
	s.loadShifts(ctx)
	tick := time.NewTicker(s.opts.Tick)
	defer tick.Stop()
	refresh := time.NewTicker(s.opts.Refresh)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.checkAlerts()
		case <-refresh.C:
			s.loadShifts(ctx)
		case <-s.refresh:
			s.loadShifts(ctx)
		}
	}
}

// seed reads today's (and last night's) agent states from the records,
// for a server started in the middle of a shift.
func (s *Service) seed(ctx context.Context) {
	now := s.opts.Now()
	from := s.today(now).Add(-12 * time.Hour)
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	states, err := s.opts.Store.AgentStates(rctx, "", from, now)
	if err != nil {
		s.opts.Log.Warn("workforce: agents' states of today not read; adherence counts from now", "err", err)
		return
	}
	by := map[string][]store.AgentStateRecord{}
	for _, st := range states {
		by[st.Agent] = append(by[st.Agent], st)
	}
	for agent, list := range by {
		s.tracker.Seed(agent, list, from, now)
	}
}

// loadShifts gives the tracker the shifts from yesterday to tomorrow.
func (s *Service) loadShifts(ctx context.Context) {
	day := s.today(s.opts.Now())
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	shifts, err := s.opts.Store.Shifts(rctx, store.ShiftFilter{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2)})
	if err != nil {
		s.opts.Log.Warn("workforce: shifts not read; keeping the ones known", "err", err)
		return
	}
	s.tracker.SetShifts(shifts)
}

// checkAlerts publishes an event for every agent out of adherence longer
// than the rules allow (once per stretch).
func (s *Service) checkAlerts() {
	now := s.opts.Now()
	set := s.setup()
	due := s.tracker.Due(set.rules, s.today(now), now)
	if raise := s.raises.Load(); raise != nil && !(*raise)() {
		return
	}
	for _, a := range due {
		s.alerts.Add(1)
		s.opts.Log.Info("agent out of adherence", "agent", a.Agent, "planned", a.Planned, "state", a.State, "since", a.OutSince)
		if s.opts.Publish != nil {
			s.opts.Publish(call.Event{Kind: call.AdherenceAlert, Time: now, Agent: a.Agent, State: a.State,
				Reason: a.Reason, Detail: a.Planned, Wait: now.Sub(a.OutSince)})
		}
	}
}

// Live is every configured agent's adherence now (agents with neither a
// shift today nor a state are left out).
func (s *Service) Live() []AgentLive {
	now := s.opts.Now()
	set := s.setup()
	all := s.tracker.Live(set.rules, s.today(now), now)
	out := all[:0]
	for _, l := range all {
		if _, ok := set.agents[l.Agent]; ok {
			out = append(out, l)
		}
	}
	return out
}

// TeamTally sums today's adherence of the live agents by team (the
// agent's queues) and over everyone ("all").
func (s *Service) TeamTally(live []AgentLive) map[string]Tally {
	set := s.setup()
	out := map[string]Tally{}
	for _, l := range live {
		t := Tally{Scheduled: seconds(l.ScheduledSecs), Adherent: seconds(l.AdherentSecs)}
		out[AllTeam] = out[AllTeam].Add(t)
		for _, q := range set.agents[l.Agent].Queues {
			out[q] = out[q].Add(t)
		}
	}
	return out
}

// AllTeam is the team of every scheduled agent.
const AllTeam = "all"

func seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }
