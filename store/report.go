package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Report rows follow docs/kpis.md. Durations are in seconds. A call counts in
// every queue it entered (an overflowed call is offered in both queues), in
// the interval in which it entered, even when it was answered or ended in
// the next one (a call queued at 23:59 counts for that day). Talk, hold,
// wrap-up, transfers and resolution are those of the agent who answered it
// in that queue.

// QueueThresholds are a queue's service targets from the configuration.
type QueueThresholds struct {
	ServiceLevel time.Duration // service_level_seconds: answered within it counts for SL (default 20s)
	ShortAbandon time.Duration // short_abandon_seconds: abandoned within it is short (default 5s)
}

func (q QueueThresholds) withDefaults() QueueThresholds {
	if q.ServiceLevel <= 0 {
		q.ServiceLevel = 20 * time.Second
	}
	if q.ShortAbandon <= 0 {
		q.ShortAbandon = 5 * time.Second
	}
	return q
}

// IntervalParams selects an interval report.
type IntervalParams struct {
	From, To   time.Time
	Location   *time.Location // wall clock of the intervals (default UTC)
	Interval   Interval       // default day
	Queues     []string       // only these queues (default: every queue with calls)
	Thresholds map[string]QueueThresholds
	Default    QueueThresholds // for queues not in Thresholds
	// FCRWindow: a resolved call counts as first-contact resolution only if
	// the same number did not call again within it (default 7 days).
	FCRWindow time.Duration
}

// IntervalRow is one queue over one interval.
type IntervalRow struct {
	Queue string    `json:"queue" csv:"queue"`
	Start time.Time `json:"start" csv:"start"`
	End   time.Time `json:"end" csv:"end"`

	Offered          int `json:"offered" csv:"offered"`
	Answered         int `json:"answered" csv:"answered"`
	Abandoned        int `json:"abandoned" csv:"abandoned"`
	ShortAbandoned   int `json:"short_abandoned" csv:"short_abandoned"`
	Overflowed       int `json:"overflowed" csv:"overflowed"`
	AnsweredWithinSL int `json:"answered_within_sl" csv:"answered_within_sl"`

	ServiceLevel   Figure `json:"service_level" csv:"service_level"`
	AbandonRate    Figure `json:"abandon_rate" csv:"abandon_rate"`
	ASA            Figure `json:"asa_seconds" csv:"asa_seconds"`
	AvgQueueTime   Figure `json:"avg_queue_seconds" csv:"avg_queue_seconds"`
	AvgAbandonTime Figure `json:"avg_abandon_seconds" csv:"avg_abandon_seconds"`

	AHT     Figure `json:"aht_seconds" csv:"aht_seconds"`
	AvgTalk Figure `json:"avg_talk_seconds" csv:"avg_talk_seconds"`
	AvgHold Figure `json:"avg_hold_seconds" csv:"avg_hold_seconds"`
	AvgACW  Figure `json:"avg_acw_seconds" csv:"avg_acw_seconds"`

	Transfers    int    `json:"transfers" csv:"transfers"`
	TransferRate Figure `json:"transfer_rate" csv:"transfer_rate"`
	FCRCalls     int    `json:"fcr_calls" csv:"fcr_calls"`
	FCR          Figure `json:"fcr" csv:"fcr"`

	SurveyResponses int    `json:"survey_responses" csv:"survey_responses"`
	Satisfied       int    `json:"satisfied" csv:"satisfied"`
	Satisfaction    Figure `json:"satisfaction" csv:"satisfaction"`
	SurveyMean      Figure `json:"survey_mean" csv:"survey_mean"`
}

// reportVisit is one queue visit with what the report needs of its call.
type reportVisit struct {
	CallID       string `db:"call_id"`
	Seq          int    `db:"seq"`
	Queue        string `db:"queue"`
	QueuedMS     int64  `db:"queued_ms"`
	Outcome      string `db:"outcome"`
	WaitMS       int64  `db:"wait_ms"`
	Agent        string `db:"agent"`
	TalkEndedMS  *int64 `db:"talk_ended_ms"`
	TalkMS       int64  `db:"talk_ms"`
	HoldMS       int64  `db:"hold_ms"`
	TransferKind string `db:"transfer_kind"`
	Target       string `db:"target"`
	Caller       string `db:"caller"`
	ArrivedMS    int64  `db:"arrived_ms"`
}

// IntervalReport computes the queue indicators per queue and interval.
func (s *Store) IntervalReport(ctx context.Context, p IntervalParams) ([]IntervalRow, error) {
	p = p.withDefaults()
	if err := checkPeriod(p.From, p.To); err != nil {
		return nil, err
	}
	if err := s.connected(); err != nil {
		return nil, err
	}
	starts := p.Interval.starts(p.From, p.To, p.Location)
	if len(starts) > maxIntervals {
		return nil, fmt.Errorf("store: report: %d intervals of %s; at most %d", len(starts), p.Interval, maxIntervals)
	}
	in, err := s.loadReportInputs(ctx, p)
	if err != nil {
		return nil, unavailable(err)
	}
	rows := make(map[string][]*intervalAcc)
	for _, q := range reportQueues(p.Queues, in.visits) {
		accs := make([]*intervalAcc, len(starts))
		for i, st := range starts {
			accs[i] = &intervalAcc{row: IntervalRow{Queue: q, Start: st, End: p.Interval.next(st)},
				th: p.thresholds(q)}
		}
		rows[q] = accs
	}
	for _, v := range in.visits {
		accs, ok := rows[v.Queue]
		if !ok {
			continue
		}
		st := p.Interval.start(fromMS(v.QueuedMS), p.Location)
		i, found := slices.BinarySearchFunc(starts, st, func(a, b time.Time) int { return a.Compare(b) })
		if !found {
			continue
		}
		accs[i].add(v, in)
	}
	var out []IntervalRow
	for _, q := range sortedKeys(rows) {
		for _, a := range rows[q] {
			out = append(out, a.finish())
		}
	}
	return out, nil
}

// maxIntervals bounds a report's rows per queue (a year of half hours).
const maxIntervals = 366 * 48

func checkPeriod(from, to time.Time) error {
	if from.IsZero() || !to.After(from) {
		return fmt.Errorf("store: report: empty period %v to %v", from, to)
	}
	return nil
}

func (p IntervalParams) withDefaults() IntervalParams {
	if p.Location == nil {
		p.Location = time.UTC
	}
	if p.Interval == "" {
		p.Interval = IntervalDay
	}
	if p.FCRWindow <= 0 {
		p.FCRWindow = 7 * 24 * time.Hour
	}
	return p
}

func (p IntervalParams) thresholds(queue string) QueueThresholds {
	if t, ok := p.Thresholds[queue]; ok {
		return t.withDefaults()
	}
	return p.Default.withDefaults()
}

func reportQueues(wanted []string, visits []reportVisit) []string {
	if len(wanted) > 0 {
		return wanted
	}
	var qs []string
	for _, v := range visits {
		if !slices.Contains(qs, v.Queue) {
			qs = append(qs, v.Queue)
		}
	}
	slices.Sort(qs)
	return qs
}

// reportInputs is every row an interval report reads, fetched with simple
// portable SQL and joined in Go.
type reportInputs struct {
	visits       []reportVisit
	lastAnswered map[string]int                    // call id → seq of its last answered visit
	dispositions map[string]map[string]Disposition // call id → agent → disposition
	wrapups      map[string]map[string]int64       // call id → agent → wrap-up end (ms)
	surveys      map[string]int                    // call id → score
	repeated     map[string]bool                   // call id → same number called again within the window
}

func (s *Store) loadReportInputs(ctx context.Context, p IntervalParams) (*reportInputs, error) {
	from, to := p.From.UnixMilli(), p.To.UnixMilli()
	in := &reportInputs{lastAnswered: make(map[string]int)}
	err := s.db().SelectContext(ctx, &in.visits, s.db().Rebind(`SELECT v.call_id, v.seq, v.queue, v.queued_ms,
	v.outcome, v.wait_ms, v.agent, v.talk_ended_ms, v.talk_ms, v.hold_ms, v.transfer_kind,
	v.target, c.caller, c.arrived_ms
FROM queue_visits v JOIN calls c ON c.call_id = v.call_id
WHERE v.queued_ms >= ? AND v.queued_ms < ?
ORDER BY v.call_id, v.seq`), from, to)
	if err != nil {
		return nil, fmt.Errorf("store: report: visits: %w", err)
	}
	for _, v := range in.visits {
		if v.Outcome == OutcomeAnswered {
			in.lastAnswered[v.CallID] = v.Seq
		}
	}
	inRange := "call_id IN (SELECT call_id FROM queue_visits WHERE queued_ms >= ? AND queued_ms < ?)"
	if in.dispositions, err = s.agentDispositions(ctx, inRange, from, to); err != nil {
		return nil, err
	}
	if in.wrapups, err = s.wrapupEnds(ctx, inRange, from, to); err != nil {
		return nil, err
	}
	if in.surveys, err = s.surveyScores(ctx, inRange, from, to); err != nil {
		return nil, err
	}
	if in.repeated, err = s.repeatedCalls(ctx, in.visits, p); err != nil {
		return nil, err
	}
	return in, nil
}

// agentDispositions indexes dispositions by call and agent: each agent
// classifies their own part of a call.
func (s *Store) agentDispositions(ctx context.Context, where string, args ...any) (map[string]map[string]Disposition, error) {
	ds, err := s.dispositions(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]Disposition)
	for _, d := range ds {
		if out[d.CallID] == nil {
			out[d.CallID] = make(map[string]Disposition)
		}
		out[d.CallID][d.Agent] = d
	}
	return out, nil
}

func (s *Store) wrapupEnds(ctx context.Context, where string, args ...any) (map[string]map[string]int64, error) {
	ws, err := s.wrapups(ctx, where, args...)
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

func (s *Store) surveyScores(ctx context.Context, where string, args ...any) (map[string]int, error) {
	ss, err := s.surveys(ctx, where, args...)
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
func (s *Store) repeatedCalls(ctx context.Context, visits []reportVisit, p IntervalParams) (map[string]bool, error) {
	var later []struct {
		Caller    string `db:"caller"`
		CallID    string `db:"call_id"`
		ArrivedMS int64  `db:"arrived_ms"`
	}
	err := s.db().SelectContext(ctx, &later, s.db().Rebind(`SELECT caller, call_id, arrived_ms FROM calls
WHERE arrived_ms >= ? AND arrived_ms <= ? AND caller IN (
	SELECT c.caller FROM calls c JOIN queue_visits v ON v.call_id = c.call_id
	WHERE v.queued_ms >= ? AND v.queued_ms < ? AND v.outcome = ? AND c.caller <> '')`),
		p.From.Add(-24*time.Hour).UnixMilli(), p.To.Add(p.FCRWindow).UnixMilli(),
		p.From.UnixMilli(), p.To.UnixMilli(), OutcomeAnswered)
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
		if v.Outcome != OutcomeAnswered || v.Caller == "" {
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
