package reportsql

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hotline-oss/hotline/store/cdr"
	"github.com/hotline-oss/hotline/store/sqldb"
)

type dispositionRow struct {
	CallID   string `db:"call_id"`
	Agent    string `db:"agent"`
	Category string `db:"category"`
	Resolved bool   `db:"resolved"`
	AtMS     int64  `db:"at_ms"`
}

// Dispositions reads the dispositions matching where, oldest first.
func Dispositions(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]cdr.Disposition, error) {
	return selectConverted(ctx, db, "dispositions", "SELECT call_id, agent, category, resolved, at_ms"+
		" FROM dispositions WHERE "+where+" ORDER BY at_ms, agent", args, func(r dispositionRow) cdr.Disposition {
		return cdr.Disposition{CallID: r.CallID, Agent: r.Agent, Category: r.Category,
			Resolved: r.Resolved, At: sqldb.FromMS(r.AtMS)}
	})
}

type surveyRow struct {
	CallID string `db:"call_id"`
	Score  int    `db:"score"`
	AtMS   int64  `db:"at_ms"`
}

// Surveys reads the survey answers matching where, oldest first.
func Surveys(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]cdr.SurveyAnswer, error) {
	return selectConverted(ctx, db, "surveys", "SELECT call_id, score, at_ms FROM survey_answers WHERE "+
		where+" ORDER BY at_ms", args, func(r surveyRow) cdr.SurveyAnswer {
		return cdr.SurveyAnswer{CallID: r.CallID, Score: r.Score, At: sqldb.FromMS(r.AtMS)}
	})
}

type wrapupRow struct {
	CallID string `db:"call_id"`
	Agent  string `db:"agent"`
	AtMS   int64  `db:"at_ms"`
}

// Wrapups reads the wrap-ups matching where, oldest first.
func Wrapups(ctx context.Context, db *sqlx.DB, where string, args ...any) ([]cdr.Wrapup, error) {
	return selectConverted(ctx, db, "wrapups", "SELECT call_id, agent, at_ms FROM wrapups WHERE "+
		where+" ORDER BY at_ms", args, func(r wrapupRow) cdr.Wrapup {
		return cdr.Wrapup{CallID: r.CallID, Agent: r.Agent, At: sqldb.FromMS(r.AtMS)}
	})
}

// selectConverted runs query into rows shaped as R and converts each one;
// what names the read in the error. No rows give a nil slice.
func selectConverted[R, T any](ctx context.Context, db *sqlx.DB, what, query string, args []any, convert func(R) T) ([]T, error) {
	var rows []R
	if err := db.SelectContext(ctx, &rows, db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	var out []T
	for _, r := range rows {
		out = append(out, convert(r))
	}
	return out, nil
}

type agentStateRow struct {
	Agent     string `db:"agent"`
	State     string `db:"state"`
	PrevState string `db:"prev_state"`
	Reason    string `db:"reason"`
	AtMS      int64  `db:"at_ms"`
}

// AgentStates lists the state changes of every agent in [from, to), plus
// each agent's last change before from (the state it was in at from),
// ordered by agent and time. agent filters when non-empty.
func (tb *Table) AgentStates(ctx context.Context, agent string, from, to time.Time) ([]cdr.AgentStateRecord, error) {
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	filter, args := "", []any{from.UnixMilli(), to.UnixMilli()}
	if agent != "" {
		filter, args = " AND agent = ?", append(args, agent)
	}
	var rows []agentStateRow
	err = db.SelectContext(ctx, &rows, db.Rebind(`SELECT agent, state, prev_state, reason, at_ms
FROM agent_states WHERE at_ms >= ? AND at_ms < ?`+filter), args...)
	if err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	// The state each agent was in when the period began: its latest
	// change before it (the (agent, at_ms) index answers the GROUP BY).
	var before []agentStateRow
	args[1] = from.UnixMilli()
	err = db.SelectContext(ctx, &before, db.Rebind(`SELECT s.agent, s.state, s.prev_state, s.reason, s.at_ms
FROM agent_states s JOIN (SELECT agent AS last_agent, MAX(at_ms) AS last_ms FROM agent_states
	WHERE at_ms < ? GROUP BY agent) last ON s.agent = last.last_agent AND s.at_ms = last.last_ms
WHERE s.at_ms < ?`+strings.ReplaceAll(filter, "agent", "s.agent")), args...)
	if err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	rows = append(rows, before...)
	slices.SortStableFunc(rows, func(a, b agentStateRow) int {
		return cmp.Or(strings.Compare(a.Agent, b.Agent), cmp.Compare(a.AtMS, b.AtMS))
	})
	out := make([]cdr.AgentStateRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, cdr.AgentStateRecord{Agent: r.Agent, State: r.State, PrevState: r.PrevState,
			Reason: r.Reason, At: sqldb.FromMS(r.AtMS)})
	}
	return out, nil
}
