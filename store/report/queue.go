package report

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/store/cdr"
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

// Visit is one queue visit with what the report needs of its call, as
// store reads it.
type Visit struct {
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

// maxIntervals bounds a report's rows per queue (a year of half hours).
const maxIntervals = 366 * 48

// CheckPeriod refuses an empty period.
func CheckPeriod(from, to time.Time) error {
	if from.IsZero() || !to.After(from) {
		return fmt.Errorf("store: report: empty period %v to %v", from, to)
	}
	return nil
}

// WithDefaults fills in what p leaves out.
func (p IntervalParams) WithDefaults() IntervalParams {
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

func reportQueues(wanted []string, visits []Visit) []string {
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

// Inputs is every row an interval report reads, fetched by store with
// simple portable SQL and joined here.
type Inputs struct {
	Visits       []Visit
	LastAnswered map[string]int              // call id → seq of its last answered visit
	Resolved     map[string]map[string]bool  // call id → agent → their disposition says resolved
	Wrapups      map[string]map[string]int64 // call id → agent → wrap-up end (ms)
	Surveys      map[string]int              // call id → score
	Repeated     map[string]bool             // call id → same number called again within the window
}

// Periods lists the interval starts of p (with its defaults), refusing a
// report of more than maxIntervals rows per queue.
func Periods(p IntervalParams) ([]time.Time, error) {
	starts := p.Interval.Starts(p.From, p.To, p.Location)
	if len(starts) > maxIntervals {
		return nil, fmt.Errorf("store: report: %d intervals of %s; at most %d", len(starts), p.Interval, maxIntervals)
	}
	return starts, nil
}

// Intervals computes the queue indicators per queue and interval from
// the inputs; starts are the Periods of p.
func Intervals(p IntervalParams, starts []time.Time, in *Inputs) []IntervalRow {
	rows := make(map[string][]*intervalAcc)
	for _, q := range reportQueues(p.Queues, in.Visits) {
		accs := make([]*intervalAcc, len(starts))
		for i, st := range starts {
			accs[i] = &intervalAcc{row: IntervalRow{Queue: q, Start: st, End: p.Interval.Next(st)},
				th: p.thresholds(q)}
		}
		rows[q] = accs
	}
	for _, v := range in.Visits {
		accs, ok := rows[v.Queue]
		if !ok {
			continue
		}
		st := p.Interval.Start(time.UnixMilli(v.QueuedMS).UTC(), p.Location)
		i, found := slices.BinarySearchFunc(starts, st, func(a, b time.Time) int { return a.Compare(b) })
		if !found {
			continue
		}
		accs[i].add(v, in)
	}
	var out []IntervalRow
	for _, q := range slices.Sorted(maps.Keys(rows)) {
		for _, a := range rows[q] {
			out = append(out, a.finish())
		}
	}
	return out
}

// continuesCallback reports whether a visit is a callback's, carrying on
// an inbound call's visit that was already offered.
func (v Visit) continuesCallback() bool {
	return v.Target != "" && (v.Outcome == cdr.OutcomeAnswered || v.Outcome == cdr.OutcomeAbandoned)
}
