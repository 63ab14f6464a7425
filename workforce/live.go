package workforce

import (
	"slices"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/workforce/rules"
)

// keepHistory is how far back the tracker keeps agents' states: today in
// any time zone, plus a night shift that began yesterday.
const keepHistory = 48 * time.Hour

// Tracker follows agents' states from the event stream and measures them
// against the shifts near now. It keeps memory only and reads no clock:
// every question comes with the time.
type Tracker struct {
	mu     sync.Mutex
	agents map[string]*liveAgent
	shifts map[string][]store.Shift // agent → shifts near now, by start
	// agentIDs and shiftIDs are the keys of agents and shifts, sorted, with
	// their values beside them, so that a view walks them under the lock
	// without sorting or looking anything up.
	agentIDs, shiftIDs []string
	agentList          []*liveAgent
	shiftLists         [][]store.Shift
	// alerted: agent → the start of the out-of-adherence stretch already
	// alerted, so one stretch raises one alert.
	alerted map[string]time.Time
}

type liveAgent struct {
	history []Segment // closed stretches, oldest first
	current Segment   // End unset: still going on
	// firstLive: the time of the first event seen live; a seed from the
	// records only fills in what came before it.
	firstLive time.Time
}

// NewTracker starts with no agents and no shifts.
func NewTracker() *Tracker {
	return &Tracker{agents: map[string]*liveAgent{}, shifts: map[string][]store.Shift{}, alerted: map[string]time.Time{}}
}

// HandleEvent takes agent state changes; it touches memory only, so it
// may run on the publisher's goroutine under the ACD's lock.
func (t *Tracker) HandleEvent(e call.Event) {
	if e.Kind != call.AgentStateChanged || e.Agent == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.agents[e.Agent]
	if a == nil {
		a = &liveAgent{current: Segment{Start: e.Time, State: e.PrevState}, firstLive: e.Time}
		t.addAgentLocked(e.Agent, a)
	}
	if e.Time.After(a.current.Start) {
		a.current.End = e.Time
		a.history = append(a.history, a.current)
	}
	a.current = Segment{Start: e.Time, State: e.State, Reason: e.Reason}
	// Trim from the front once in a while, not on every event.
	if len(a.history) > 64 && e.Time.Sub(a.history[0].End) > keepHistory {
		i := 0
		for i < len(a.history) && e.Time.Sub(a.history[i].End) > keepHistory {
			i++
		}
		// Reslice rather than move: views taken earlier still read the
		// old elements.
		a.history = a.history[i:]
	}
}

// Seed fills in an agent's states from the records (read at start), for
// the time before the first live event. changes are sorted by time.
func (t *Tracker) Seed(agent string, changes []store.AgentStateRecord, from, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.agents[agent]
	until := now
	if a != nil {
		until = a.firstLive
	}
	segs := Segments(changes, from, until)
	if a == nil {
		if len(segs) == 0 {
			return
		}
		last := segs[len(segs)-1]
		a = &liveAgent{history: segs[:len(segs)-1], current: Segment{Start: last.Start, State: last.State, Reason: last.Reason}, firstLive: now}
		t.addAgentLocked(agent, a)
		return
	}
	a.history = append(segs, a.history...)
}

func (t *Tracker) addAgentLocked(id string, a *liveAgent) {
	t.agents[id] = a
	i, _ := slices.BinarySearch(t.agentIDs, id)
	t.agentIDs = slices.Insert(t.agentIDs, i, id)
	t.agentList = slices.Insert(t.agentList, i, a)
}

// SetShifts replaces the shifts near now (every agent's).
func (t *Tracker) SetShifts(shifts []store.Shift) {
	by := map[string][]store.Shift{}
	for _, sh := range shifts {
		by[sh.Agent] = append(by[sh.Agent], sh)
	}
	ids := make([]string, 0, len(by))
	for id, list := range by {
		slices.SortFunc(list, func(a, b store.Shift) int { return a.Start.Compare(b.Start) })
		ids = append(ids, id)
	}
	slices.Sort(ids)
	lists := make([][]store.Shift, len(ids))
	for i, id := range ids {
		lists[i] = by[id]
	}
	t.mu.Lock()
	t.shifts, t.shiftIDs, t.shiftLists = by, ids, lists
	t.mu.Unlock()
}

// agentView is what Live needs of one agent, taken under the lock and
// measured outside it, so that a state change on the bus never waits for
// a whole floor to be measured.
type agentView struct {
	id      string
	known   bool      // a state has been seen
	history []Segment // shares the tracker's array: read only, up to its length
	current Segment
	shifts  []store.Shift // never changed once set (SetShifts replaces them)
}

func (t *Tracker) views() []agentView {
	// The slice is made before the lock is taken, so that a state change
	// waits for copying only; an agent added meanwhile just grows it.
	t.mu.Lock()
	n := max(len(t.agentIDs), len(t.shiftIDs))
	t.mu.Unlock()
	out := make([]agentView, 0, n)
	t.mu.Lock()
	defer t.mu.Unlock()
	withAgent := func(v agentView, a *liveAgent) agentView {
		v.known, v.history, v.current = true, slices.Clip(a.history), a.current
		return v
	}
	// Both id lists are sorted: merge them, each id once.
	i, j := 0, 0
	for i < len(t.agentIDs) || j < len(t.shiftIDs) {
		switch {
		case j == len(t.shiftIDs) || (i < len(t.agentIDs) && t.agentIDs[i] < t.shiftIDs[j]):
			out = append(out, withAgent(agentView{id: t.agentIDs[i]}, t.agentList[i]))
			i++
		case i == len(t.agentIDs) || t.shiftIDs[j] < t.agentIDs[i]:
			out = append(out, agentView{id: t.shiftIDs[j], shifts: t.shiftLists[j]})
			j++
		default:
			out = append(out, withAgent(agentView{id: t.agentIDs[i], shifts: t.shiftLists[j]}, t.agentList[i]))
			i, j = i+1, j+1
		}
	}
	return out
}

// stretches is the agent's history over [from, now); before anything
// known the agent counts as logged out.
func (v agentView) stretches(from, now time.Time) []Segment {
	if !v.known {
		return []Segment{{Start: from, End: now, State: rules.StateLoggedOut}}
	}
	out := make([]Segment, 0, len(v.history)+2)
	first := v.current.Start
	if len(v.history) > 0 {
		first = v.history[0].Start
	}
	if first.After(from) {
		out = append(out, Segment{Start: from, End: rules.Earlier(first, now), State: rules.StateLoggedOut})
	}
	add := func(s Segment) {
		s.Start, s.End = rules.Later(s.Start, from), rules.Earlier(s.End, now)
		if s.End.After(s.Start) {
			out = append(out, s)
		}
	}
	for _, s := range v.since(from) {
		add(s)
	}
	cur := v.current
	cur.End = now
	add(cur)
	return out
}

// since is the known history from the stretch that holds from on, found
// without a look at each earlier one.
func (v agentView) since(from time.Time) []Segment {
	i, _ := slices.BinarySearchFunc(v.history, from, func(s Segment, t time.Time) int { return s.End.Compare(t) })
	return v.history[i:]
}

// AgentLive is one agent's adherence now and so far today.
type AgentLive struct {
	Agent  string    `json:"agent"`
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// Planned is the activity planned now ("" when not scheduled now);
	// InAdherence is nil then.
	Planned     string `json:"planned,omitempty"`
	InAdherence *bool  `json:"in_adherence"`
	// OutSince: when the current stretch out of adherence began.
	OutSince time.Time `json:"out_of_adherence_since,omitzero"`
	// Today: scheduled and adherent time from the start of the day to now.
	ScheduledSecs float64       `json:"scheduled_seconds"`
	AdherentSecs  float64       `json:"adherent_seconds"`
	Adherence     *float64      `json:"adherence"`
	Shifts        []store.Shift `json:"shifts"`
}

// Live measures every agent with a shift near now, or a state, at now;
// day is the start of today.
func (t *Tracker) Live(r Rules, day, now time.Time) []AgentLive {
	views := t.views()
	out := make([]AgentLive, 0, len(views))
	for _, v := range views {
		out = append(out, liveOf(r, v, day, now))
	}
	return out
}

func liveOf(r Rules, v agentView, day, now time.Time) AgentLive {
	l := AgentLive{Agent: v.id, State: rules.StateLoggedOut, Shifts: []store.Shift{}}
	if v.known {
		l.State, l.Reason, l.Since = v.current.State, v.current.Reason, v.current.Start
	}
	var plan []Planned
	from := day
	for _, sh := range v.shifts {
		if sh.End.After(day) && sh.Start.Before(day.AddDate(0, 0, 1)) {
			l.Shifts = append(l.Shifts, sh)
			plan = append(plan, Plan(sh)...)
			from = rules.Earlier(from, sh.Start)
		}
	}
	for _, p := range plan {
		if !now.Before(p.Start) && now.Before(p.End) {
			l.Planned = p.Activity
			in := r.Adherent(p.Activity, l.State, l.Reason)
			l.InAdherence = &in
		}
	}
	if len(plan) == 0 {
		return l
	}
	tally := r.Measure(plan, v.since(day), day, now)
	if v.known {
		// Time not covered by a known state (before the first) is never
		// adherent, so Measure needs no logged-out stretch for it; the
		// current state is measured on its own rather than appended to
		// the shared history.
		cur := v.current
		cur.End = now
		tally.Adherent += r.Measure(plan, []Segment{cur}, day, now).Adherent
	}
	l.ScheduledSecs, l.AdherentSecs = tally.Scheduled.Seconds(), tally.Adherent.Seconds()
	if v, ok := tally.Ratio(); ok {
		l.Adherence = &v
	}
	if l.InAdherence != nil && !*l.InAdherence {
		l.OutSince = r.OutSince(plan, v.stretches(from, now), now)
	}
	return l
}

// Alert is an agent out of adherence for longer than the rules allow.
type Alert struct {
	Agent    string
	Planned  string
	State    string
	Reason   string
	OutSince time.Time
}

// Due returns the alerts to raise at now: each stretch out of adherence
// longer than r.AlertAfter, once.
func (t *Tracker) Due(r Rules, day, now time.Time) []Alert {
	if r.AlertAfter <= 0 {
		return nil
	}
	live := t.Live(r, day, now)
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Alert
	for _, l := range live {
		if l.OutSince.IsZero() || now.Sub(l.OutSince) < r.AlertAfter {
			continue
		}
		if t.alerted[l.Agent].Equal(l.OutSince) {
			continue
		}
		t.alerted[l.Agent] = l.OutSince
		out = append(out, Alert{Agent: l.Agent, Planned: l.Planned, State: l.State, Reason: l.Reason, OutSince: l.OutSince})
	}
	return out
}
