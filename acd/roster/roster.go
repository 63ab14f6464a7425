package roster

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
	"github.com/hotline-oss/hotline/acd/view"
)

// Roster is every queue and agent the ACD serves, in configuration order
// (queues draining after a reload and removed agents behind the rest),
// and their indexes by name, which hold only the configured ones.
type Roster struct {
	Queues      []*Queue
	QueueByName map[string]*Queue
	Agents      []*Agent
	AgentByID   map[string]*Agent
	Calls       map[string]*Call  // waiting or connected, by id
	LastCallOf  map[string]*Agent // call id → the agent whose last call it was
}

// Day is a calendar date in the clock's location: the day the agents'
// daily counters belong to.
type Day struct {
	year  int
	month time.Month
	day   int
}

// DayOf is the day of t.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day{y, m, d}
}

// New builds the roster of a valid configuration at now: every agent
// logged out, every queue's strategy drawing from rng.
func New(cfg acdconfig.Config, now time.Time, rng *rand.Rand) (Roster, error) {
	r := Roster{
		QueueByName: make(map[string]*Queue, len(cfg.Queues)),
		AgentByID:   make(map[string]*Agent, len(cfg.Agents)),
		Calls:       make(map[string]*Call),
		LastCallOf:  make(map[string]*Agent),
	}
	for _, qc := range cfg.Queues {
		q := &Queue{Cfg: qc.WithDefaults()}
		r.Queues = append(r.Queues, q)
		r.QueueByName[qc.Name] = q
	}
	for _, ac := range cfg.Agents {
		ag := NewAgent(ac, now)
		for _, name := range ac.Queues {
			Join(ag, r.QueueByName[name])
		}
		ag.OwnMembers()
		r.Agents = append(r.Agents, ag)
		r.AgentByID[ac.ID] = ag
	}
	for _, q := range r.Queues {
		s, err := strategy.New(q.Cfg.Strategy, len(q.Members), rng)
		if err != nil {
			return Roster{}, fmt.Errorf("queue %s: %w", q.Cfg.Name, err)
		}
		q.Strategy = s
	}
	return r, nil
}

// ReloadQueues puts the queues in the new configuration's order, existing
// ones updated in place, and marks the rest draining behind them.
func (r *Roster) ReloadQueues(cfgs []acdconfig.QueueConfig) {
	byName := make(map[string]*Queue, len(r.Queues))
	for _, q := range r.Queues {
		byName[q.Cfg.Name] = q
	}
	queues := make([]*Queue, 0, len(cfgs))
	for _, qc := range cfgs {
		q := byName[qc.Name]
		if q == nil {
			q = &Queue{}
		}
		delete(byName, qc.Name)
		q.Cfg, q.Draining = qc.WithDefaults(), false
		r.QueueByName[qc.Name] = q
		queues = append(queues, q)
	}
	for _, q := range r.Queues {
		if byName[q.Cfg.Name] == q {
			q.Draining = true
			delete(r.QueueByName, q.Cfg.Name)
			queues = append(queues, q)
		}
	}
	r.Queues = queues
}

// ReloadAgents puts the agents in the new configuration's order, new ones
// logged out as of now, and marks the ones left out removed. It returns
// those removed by this reload, in order, for the engine to log out
// before the memberships change (Rebuild).
func (r *Roster) ReloadAgents(cfgs []acdconfig.AgentConfig, now time.Time) (retired []*Agent) {
	byID := make(map[string]*Agent, len(r.Agents))
	for _, ag := range r.Agents {
		byID[ag.Cfg.ID] = ag
	}
	agents := make([]*Agent, 0, len(cfgs))
	for _, ac := range cfgs {
		ag := byID[ac.ID]
		if ag == nil {
			ag = NewAgent(ac, now)
		}
		delete(byID, ac.ID)
		if ag.Removed && ag.Pending == PendingLogout {
			ag.Pending = PendingNone // revived before its call ended: the logout was ours
		}
		ag.Cfg, ag.Removed = ac, false
		r.AgentByID[ac.ID] = ag
		agents = append(agents, ag)
	}
	for _, ag := range r.Agents {
		if byID[ag.Cfg.ID] == ag {
			agents = append(agents, ag)
			if !ag.Removed {
				ag.Removed = true
				delete(r.AgentByID, ag.Cfg.ID)
				retired = append(retired, ag)
			}
		}
	}
	r.Agents = agents
	return retired
}

// Rebuild recomputes every queue's members and every strategy from the
// agents' queues and skills; members of a draining queue stay its members
// while they are configured. Candidates live in the agents' member slices,
// which strategies point into, so each slice is built in full before any
// strategy sees it. Queues that gain a routable agent go to changed.
func (r *Roster) Rebuild(now time.Time, rng *rand.Rand, changed func(*Queue)) {
	drainers := make(map[*Queue][]*Agent)
	for _, ag := range r.Agents {
		ag.Unroute()
		for _, m := range ag.Member {
			if m.Q.Draining && !ag.Removed {
				drainers[m.Q] = append(drainers[m.Q], ag)
			}
		}
		ag.Member = nil
	}
	for _, q := range r.Queues {
		q.Members, q.Count = nil, [agentstate.NumStates]int{}
	}
	for _, ag := range r.Agents {
		if ag.Removed {
			continue
		}
		for _, name := range ag.Cfg.Queues {
			Join(ag, r.QueueByName[name])
		}
	}
	for _, q := range r.Queues {
		for _, ag := range drainers[q] {
			Join(ag, q)
		}
	}
	for _, ag := range r.Agents {
		ag.OwnMembers()
	}
	for _, q := range r.Queues {
		q.renewStrategy(rng)
	}
	for _, ag := range r.Agents {
		ag.RefreshRoutable(now, changed)
	}
}

// renewStrategy gives q a fresh strategy for its members; a round-robin
// queue keeps its cursor so that the rotation goes on where it was.
func (q *Queue) renewStrategy(rng *rand.Rand) {
	s, err := strategy.New(q.Cfg.Strategy, len(q.Members), rng)
	if err != nil {
		// Validate accepted the name, so only a missing random source
		// could get here, and the engine always sets one.
		panic(err)
	}
	strategy.Carry(q.Strategy, s, len(q.Members))
	q.Strategy = s
}

// DropQueue forgets an empty draining queue and its memberships.
func (r *Roster) DropQueue(q *Queue, now time.Time, changed func(*Queue)) {
	r.Queues = slices.DeleteFunc(r.Queues, func(x *Queue) bool { return x == q })
	for _, ag := range q.Members {
		// Removing an element moves the candidates the strategies point
		// at: withdraw the agent first, and route it again after.
		ag.Unroute()
		ag.Member = slices.DeleteFunc(ag.Member, func(m Membership) bool { return m.Q == q })
		ag.RefreshRoutable(now, changed)
	}
	q.Members = nil
}

// DropAgent forgets a removed agent. It belongs to no queue: Rebuild left
// it out.
func (r *Roster) DropAgent(ag *Agent) {
	r.Agents = slices.DeleteFunc(r.Agents, func(x *Agent) bool { return x == ag })
	if r.LastCallOf[ag.Wrap.CallID] == ag {
		delete(r.LastCallOf, ag.Wrap.CallID)
	}
}

// RememberLastCall lets a disposition find the agent of an ended call.
// Only each agent's last call is kept, which bounds the memory.
func (r *Roster) RememberLastCall(ag *Agent, callID string) {
	if ag.Wrap.CallID != "" && r.LastCallOf[ag.Wrap.CallID] == ag {
		delete(r.LastCallOf, ag.Wrap.CallID)
	}
	r.LastCallOf[callID] = ag
}

// QueueStats are the views of every queue at now, in order.
func (r *Roster) QueueStats(now time.Time) []view.QueueStats {
	out := make([]view.QueueStats, len(r.Queues))
	for i, q := range r.Queues {
		out[i] = q.Stats(now)
	}
	return out
}

// AgentInfos are the views of every agent at now, in order.
func (r *Roster) AgentInfos(now time.Time) []view.AgentInfo {
	out := make([]view.AgentInfo, len(r.Agents))
	for i, ag := range r.Agents {
		out[i] = ag.Info(now)
	}
	return out
}

// WaitingCalls lists every waiting call of every queue, in queue order and
// by position within a queue.
func (r *Roster) WaitingCalls() []view.WaitingCall {
	var out []view.WaitingCall
	for _, q := range r.Queues {
		out = q.WaitingCalls(out)
	}
	return out
}

// CallbacksPending counts the callbacks each queue holds (waiting, in
// their retry pause or being dialled).
func (r *Roster) CallbacksPending() map[string]int {
	out := make(map[string]int)
	for _, c := range r.Calls {
		if c.Callback != nil {
			out[c.Queue.Cfg.Name]++
		}
	}
	return out
}
