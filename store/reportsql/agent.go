package reportsql

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/cdr"
	"github.com/hotline-oss/hotline/store/report"
	"github.com/hotline-oss/hotline/store/sqldb"
)

// AgentReport computes the agent indicators of docs/kpis.md. Occupancy is
// (talk + hold) ÷ (talk + hold + time in the available state).
func (tb *Table) AgentReport(ctx context.Context, p report.AgentParams) ([]report.AgentRow, error) {
	if err := report.CheckPeriod(p.From, p.To); err != nil {
		return nil, err
	}
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	tallies := make(report.AgentTallies)
	if err := addAgentCalls(ctx, db, p, tallies); err != nil {
		return nil, sqldb.Unavailable(err)
	}
	states, err := tb.AgentStates(ctx, "", p.From, p.To)
	if err != nil {
		return nil, sqldb.Unavailable(err)
	}
	end := p.To
	if now := tb.now(); now.Before(end) {
		end = now
	}
	for i, st := range states {
		until := end
		if i+1 < len(states) && states[i+1].Agent == st.Agent {
			until = states[i+1].At
		}
		tallies.Of(st.Agent).AddState(st.State, st.Reason, st.At, p.From, until)
	}
	return tallies.Rows(p.Agents), nil
}

func addAgentCalls(ctx context.Context, db *sqlx.DB, p report.AgentParams, tallies report.AgentTallies) error {
	from, to := p.From.UnixMilli(), p.To.UnixMilli()
	// an agent's part of a call: a queue visit they answered
	var visits []struct {
		CallID      string `db:"call_id"`
		Agent       string `db:"agent"`
		TalkEndedMS *int64 `db:"talk_ended_ms"`
		TalkMS      int64  `db:"talk_ms"`
		HoldMS      int64  `db:"hold_ms"`
	}
	err := db.SelectContext(ctx, &visits, db.Rebind(`SELECT call_id, agent, talk_ended_ms, talk_ms, hold_ms
FROM queue_visits WHERE outcome = ? AND left_ms >= ? AND left_ms < ? AND agent <> ''`), cdr.OutcomeAnswered, from, to)
	if err != nil {
		return fmt.Errorf("store: agent report: %w", err)
	}
	inRange := "call_id IN (SELECT call_id FROM queue_visits WHERE outcome = ? AND left_ms >= ? AND left_ms < ?)"
	wrapups, err := wrapupEnds(ctx, db, inRange, cdr.OutcomeAnswered, from, to)
	if err != nil {
		return err
	}
	surveys, err := surveyScores(ctx, db, inRange, cdr.OutcomeAnswered, from, to)
	if err != nil {
		return err
	}
	rated := make(map[[2]string]bool) // a survey counts once per agent and call
	for _, v := range visits {
		a := tallies.Of(v.Agent)
		var talkEnded int64
		if v.TalkEndedMS != nil {
			talkEnded = *v.TalkEndedMS
		}
		a.AddCall(time.Duration(v.TalkMS)*time.Millisecond, time.Duration(v.HoldMS)*time.Millisecond,
			report.AfterCallWork(wrapups[v.CallID][v.Agent], talkEnded))
		key := [2]string{v.Agent, v.CallID}
		if score, ok := surveys[v.CallID]; ok && !rated[key] {
			rated[key] = true
			a.AddSurvey(score)
		}
	}
	return nil
}
