package store

import (
	"context"
	"fmt"
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

// agentVisit is an agent's part of a call: a queue visit they answered.
type agentVisit struct {
	CallID      string `db:"call_id"`
	Agent       string `db:"agent"`
	TalkEndedMS *int64 `db:"talk_ended_ms"`
	TalkMS      int64  `db:"talk_ms"`
	HoldMS      int64  `db:"hold_ms"`
}

type agentAcc struct {
	row             AgentRow
	talk, hold, acw time.Duration
	loggedIn        time.Duration
	available       time.Duration
	paused          time.Duration
	pausedBy        map[string]time.Duration
	scoreSum        int
}

// AgentReport computes the agent indicators of docs/kpis.md. Occupancy is
// (talk + hold) ÷ (talk + hold + time in the available state).
func (s *Store) AgentReport(ctx context.Context, p AgentParams) ([]AgentRow, error) {
	if err := checkPeriod(p.From, p.To); err != nil {
		return nil, err
	}
	if err := s.connected(); err != nil {
		return nil, err
	}
	accs := make(map[string]*agentAcc)
	get := func(agent string) *agentAcc {
		if a, ok := accs[agent]; ok {
			return a
		}
		a := &agentAcc{row: AgentRow{Agent: agent}, pausedBy: make(map[string]time.Duration)}
		accs[agent] = a
		return a
	}
	if err := s.addAgentCalls(ctx, p, get); err != nil {
		return nil, unavailable(err)
	}
	states, err := s.AgentStates(ctx, "", p.From, p.To)
	if err != nil {
		return nil, unavailable(err)
	}
	end := p.To
	if now := s.clock.Now(); now.Before(end) {
		end = now
	}
	for i, st := range states {
		until := end
		if i+1 < len(states) && states[i+1].Agent == st.Agent {
			until = states[i+1].At
		}
		get(st.Agent).addState(st, p.From, until)
	}
	var out []AgentRow
	for _, agent := range sortedKeys(accs) {
		if len(p.Agents) > 0 && !slices.Contains(p.Agents, agent) {
			continue
		}
		out = append(out, accs[agent].finish())
	}
	return out, nil
}

func (s *Store) addAgentCalls(ctx context.Context, p AgentParams, get func(string) *agentAcc) error {
	from, to := p.From.UnixMilli(), p.To.UnixMilli()
	var visits []agentVisit
	err := s.db().SelectContext(ctx, &visits, s.db().Rebind(`SELECT call_id, agent, talk_ended_ms, talk_ms, hold_ms
FROM queue_visits WHERE outcome = ? AND left_ms >= ? AND left_ms < ? AND agent <> ''`), OutcomeAnswered, from, to)
	if err != nil {
		return fmt.Errorf("store: agent report: %w", err)
	}
	inRange := "call_id IN (SELECT call_id FROM queue_visits WHERE outcome = ? AND left_ms >= ? AND left_ms < ?)"
	wrapups, err := s.wrapupEnds(ctx, inRange, OutcomeAnswered, from, to)
	if err != nil {
		return err
	}
	surveys, err := s.surveyScores(ctx, inRange, OutcomeAnswered, from, to)
	if err != nil {
		return err
	}
	rated := make(map[[2]string]bool) // a survey counts once per agent and call
	for _, v := range visits {
		a := get(v.Agent)
		a.row.Calls++
		a.talk += time.Duration(v.TalkMS) * time.Millisecond
		a.hold += time.Duration(v.HoldMS) * time.Millisecond
		a.acw += afterCallWork(wrapups[v.CallID][v.Agent], derefMS(v.TalkEndedMS))
		key := [2]string{v.Agent, v.CallID}
		if score, ok := surveys[v.CallID]; ok && !rated[key] {
			rated[key] = true
			a.row.SurveyResponses++
			a.scoreSum += score
			if score >= 4 {
				a.row.Satisfied++
			}
		}
	}
	return nil
}

// addState adds the part of one state that lies in [from, until).
func (a *agentAcc) addState(st AgentStateRecord, from, until time.Time) {
	start := st.At
	if start.Before(from) {
		start = from
	}
	d := until.Sub(start)
	if d <= 0 {
		return
	}
	if st.State != StateLoggedOut {
		a.loggedIn += d
	}
	switch st.State {
	case StateAvailable:
		a.available += d
	case StatePaused:
		a.paused += d
		a.pausedBy[st.Reason] += d
	}
}

func (a *agentAcc) finish() AgentRow {
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
