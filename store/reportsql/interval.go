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

// IntervalReport computes the queue indicators per queue and interval.
func (tb *Table) IntervalReport(ctx context.Context, p report.IntervalParams) ([]report.IntervalRow, error) {
	p = p.WithDefaults()
	if err := report.CheckPeriod(p.From, p.To); err != nil {
		return nil, err
	}
	db, err := tb.h.DB()
	if err != nil {
		return nil, err
	}
	starts, err := report.Periods(p)
	if err != nil {
		return nil, err
	}
	in, err := loadReportInputs(ctx, db, p)
	if err != nil {
		return nil, sqldb.Unavailable(err)
	}
	return report.Intervals(p, starts, in), nil
}

func loadReportInputs(ctx context.Context, db *sqlx.DB, p report.IntervalParams) (*report.Inputs, error) {
	from, to := p.From.UnixMilli(), p.To.UnixMilli()
	in := &report.Inputs{LastAnswered: make(map[string]int)}
	err := db.SelectContext(ctx, &in.Visits, db.Rebind(`SELECT v.call_id, v.seq, v.queue, v.queued_ms,
	v.outcome, v.wait_ms, v.agent, v.talk_ended_ms, v.talk_ms, v.hold_ms, v.transfer_kind,
	v.target, c.caller, c.arrived_ms
FROM queue_visits v JOIN calls c ON c.call_id = v.call_id
WHERE v.queued_ms >= ? AND v.queued_ms < ?
ORDER BY v.call_id, v.seq`), from, to)
	if err != nil {
		return nil, fmt.Errorf("store: report: visits: %w", err)
	}
	for _, v := range in.Visits {
		if v.Outcome == cdr.OutcomeAnswered {
			in.LastAnswered[v.CallID] = v.Seq
		}
	}
	inRange := "call_id IN (SELECT call_id FROM queue_visits WHERE queued_ms >= ? AND queued_ms < ?)"
	if in.Resolved, err = resolvedBy(ctx, db, inRange, from, to); err != nil {
		return nil, err
	}
	if in.Wrapups, err = wrapupEnds(ctx, db, inRange, from, to); err != nil {
		return nil, err
	}
	if in.Surveys, err = surveyScores(ctx, db, inRange, from, to); err != nil {
		return nil, err
	}
	if in.Repeated, err = repeatedCalls(ctx, db, in.Visits, p); err != nil {
		return nil, err
	}
	return in, nil
}

// resolvedBy indexes dispositions by call and agent (each agent classifies
// their own part of a call): whether that agent marked it resolved.
func resolvedBy(ctx context.Context, db *sqlx.DB, where string, args ...any) (map[string]map[string]bool, error) {
	ds, err := Dispositions(ctx, db, where, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]bool)
	for _, d := range ds {
		if out[d.CallID] == nil {
			out[d.CallID] = make(map[string]bool)
		}
		out[d.CallID][d.Agent] = d.Resolved
	}
	return out, nil
}

func wrapupEnds(ctx context.Context, db *sqlx.DB, where string, args ...any) (map[string]map[string]int64, error) {
	ws, err := Wrapups(ctx, db, where, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]int64)
	for _, w := range ws {
		if out[w.CallID] == nil {
			out[w.CallID] = make(map[string]int64)
		}
		out[w.CallID][w.Agent] = w.At.UnixMilli()
	}
	return out, nil
}

func surveyScores(ctx context.Context, db *sqlx.DB, where string, args ...any) (map[string]int, error) {
	ss, err := Surveys(ctx, db, where, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(ss))
	for _, a := range ss {
		out[a.CallID] = a.Score
	}
	return out, nil
}

// repeatedCalls finds the answered calls whose number called the hotline
// again within the FCR window after them. Calls without a number cannot be
// matched and count as not repeated.
func repeatedCalls(ctx context.Context, db *sqlx.DB, visits []report.Visit, p report.IntervalParams) (map[string]bool, error) {
	var later []struct {
		Caller    string `db:"caller"`
		CallID    string `db:"call_id"`
		ArrivedMS int64  `db:"arrived_ms"`
	}
	err := db.SelectContext(ctx, &later, db.Rebind(`SELECT caller, call_id, arrived_ms FROM calls
WHERE arrived_ms >= ? AND arrived_ms <= ? AND caller IN (
	SELECT c.caller FROM calls c JOIN queue_visits v ON v.call_id = c.call_id
	WHERE v.queued_ms >= ? AND v.queued_ms < ? AND v.outcome = ? AND c.caller <> '')`),
		p.From.Add(-24*time.Hour).UnixMilli(), p.To.Add(p.FCRWindow).UnixMilli(),
		p.From.UnixMilli(), p.To.UnixMilli(), cdr.OutcomeAnswered)
	if err != nil {
		return nil, fmt.Errorf("store: report: repeat calls: %w", err)
	}
	byCaller := make(map[string][]int64)
	for _, c := range later {
		byCaller[c.Caller] = append(byCaller[c.Caller], c.ArrivedMS)
	}
	window := p.FCRWindow.Milliseconds()
	out := make(map[string]bool)
	for _, v := range visits {
		if v.Outcome != cdr.OutcomeAnswered || v.Caller == "" {
			continue
		}
		for _, t := range byCaller[v.Caller] {
			if t > v.ArrivedMS && t <= v.ArrivedMS+window {
				out[v.CallID] = true
				break
			}
		}
	}
	return out, nil
}
