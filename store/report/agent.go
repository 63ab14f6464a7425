package report

import (
	"maps"
	"slices"
	"time"
)

// Agent states the reports give a meaning to; the names are those of the
// hotline_agents metric.
const (
	StateAvailable = "available"
	StatePaused    = "paused"
	StateLoggedOut = "logged_out"
)

// AgentParams selects an agent report over [From, To).
type AgentParams struct {
	From, To time.Time
	Agents   []string // only these agents (default: every agent seen)
}

// AgentRow is one agent over the report period. Calls are those the agent
// answered in the period (a call transferred between agents counts for
// each, with each one's own talk, hold and wrap-up; its survey counts for
// every agent who answered it); state times are clipped to the period, and
// a state still current is counted up to now.
type AgentRow struct {
	Agent string `json:"agent" csv:"agent"`
	Calls int    `json:"calls" csv:"calls"`

	TalkTime Figure `json:"talk_seconds" csv:"talk_seconds"`
	HoldTime Figure `json:"hold_seconds" csv:"hold_seconds"`
	ACWTime  Figure `json:"acw_seconds" csv:"acw_seconds"`
	AvgTalk  Figure `json:"avg_talk_seconds" csv:"avg_talk_seconds"`
	AvgHold  Figure `json:"avg_hold_seconds" csv:"avg_hold_seconds"`
	AvgACW   Figure `json:"avg_acw_seconds" csv:"avg_acw_seconds"`
	AHT      Figure `json:"aht_seconds" csv:"aht_seconds"`

	LoggedIn       Figure             `json:"logged_in_seconds" csv:"logged_in_seconds"`
	Available      Figure             `json:"available_seconds" csv:"available_seconds"`
	Paused         Figure             `json:"paused_seconds" csv:"paused_seconds"`
	PausedByReason map[string]float64 `json:"paused_by_reason" csv:"paused_by_reason"`
	Occupancy      Figure             `json:"occupancy" csv:"occupancy"`
	CallsPerHour   Figure             `json:"calls_per_hour" csv:"calls_per_hour"`

	SurveyResponses int    `json:"survey_responses" csv:"survey_responses"`
	Satisfied       int    `json:"satisfied" csv:"satisfied"`
	Satisfaction    Figure `json:"satisfaction" csv:"satisfaction"`
	SurveyMean      Figure `json:"survey_mean" csv:"survey_mean"`
}

// AgentTally sums one agent's row: the calls they answered and the states
// they were in.
type AgentTally struct {
	row             AgentRow
	talk, hold, acw time.Duration
	loggedIn        time.Duration
	available       time.Duration
	paused          time.Duration
	pausedBy        map[string]time.Duration
	scoreSum        int
}

// AgentTallies are the tallies of every agent seen, by id.
type AgentTallies map[string]*AgentTally

// Of returns the agent's tally, making it on first use.
func (ts AgentTallies) Of(agent string) *AgentTally {
	if a, ok := ts[agent]; ok {
		return a
	}
	a := &AgentTally{row: AgentRow{Agent: agent}, pausedBy: make(map[string]time.Duration)}
	ts[agent] = a
	return a
}

// Rows finishes the rows of the agents wanted (default every agent), in
// the order of their ids.
func (ts AgentTallies) Rows(wanted []string) []AgentRow {
	var out []AgentRow
	for _, agent := range slices.Sorted(maps.Keys(ts)) {
		if len(wanted) > 0 && !slices.Contains(wanted, agent) {
			continue
		}
		out = append(out, ts[agent].finish())
	}
	return out
}

// AddCall adds a call the agent answered: their talk and hold, and their
// wrap-up after it.
func (a *AgentTally) AddCall(talk, hold, acw time.Duration) {
	a.row.Calls++
	a.talk += talk
	a.hold += hold
	a.acw += acw
}

// AddSurvey adds a caller's survey score (once per agent and call).
func (a *AgentTally) AddSurvey(score int) {
	a.row.SurveyResponses++
	a.scoreSum += score
	if score >= 4 {
		a.row.Satisfied++
	}
}

// AddState adds the part of a state entered at at that lies in
// [from, until); reason is a pause's.
func (a *AgentTally) AddState(state, reason string, at, from, until time.Time) {
	start := at
	if start.Before(from) {
		start = from
	}
	d := until.Sub(start)
	if d <= 0 {
		return
	}
	if state != StateLoggedOut {
		a.loggedIn += d
	}
	switch state {
	case StateAvailable:
		a.available += d
	case StatePaused:
		a.paused += d
		a.pausedBy[reason] += d
	}
}

func (a *AgentTally) finish() AgentRow {
	r := a.row
	r.TalkTime, r.HoldTime, r.ACWTime = seconds(a.talk), seconds(a.hold), seconds(a.acw)
	r.AvgTalk = average(a.talk, r.Calls)
	r.AvgHold = average(a.hold, r.Calls)
	r.AvgACW = average(a.acw, r.Calls)
	r.AHT = average(a.talk+a.hold+a.acw, r.Calls)
	r.LoggedIn, r.Available, r.Paused = seconds(a.loggedIn), seconds(a.available), seconds(a.paused)
	r.PausedByReason = make(map[string]float64, len(a.pausedBy))
	for reason, d := range a.pausedBy {
		r.PausedByReason[reason] = d.Seconds()
	}
	busy := (a.talk + a.hold).Seconds()
	r.Occupancy = ratio(busy, busy+a.available.Seconds())
	r.CallsPerHour = ratio(float64(r.Calls), a.loggedIn.Hours())
	r.Satisfaction = ratio(float64(r.Satisfied), float64(r.SurveyResponses))
	r.SurveyMean = ratio(float64(a.scoreSum), float64(r.SurveyResponses))
	return r
}
