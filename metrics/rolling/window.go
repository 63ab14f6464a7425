package rolling

import (
	"encoding/json"
	"time"
)

// Clock tells the rolling windows what time it is at scrape time. Events
// carry their own time; only the read side needs a clock.
type Clock interface{ Now() time.Time }

// Window names a rolling window as the window label shows it.
type Window string

const (
	Window15m   Window = "15m"
	Window30m   Window = "30m"
	WindowToday Window = "today" // since local midnight
)

// Windows lists every Window in label order.
var Windows = []Window{Window15m, Window30m, WindowToday}

// bucketWidth is the resolution of the 15m and 30m windows: a window
// covers the buckets of its last 15 (30) minutes, so its start moves in
// 10-second steps and its span is between W−10s and W.
const bucketWidth = 10 * time.Second

// ringBuckets holds the longest sliding window.
const ringBuckets = int64(30 * time.Minute / bucketWidth)

// Figure is a KPI that may be undefined: a ratio or average whose
// denominator is zero has no value (docs/kpis.md), which is not the same as 0.
type Figure struct {
	Value   float64
	Defined bool
}

// MarshalJSON writes an undefined figure as null.
func (f Figure) MarshalJSON() ([]byte, error) {
	if !f.Defined {
		return []byte("null"), nil
	}
	return json.Marshal(f.Value)
}

// QueueThresholds are a queue's KPI thresholds (docs/kpis.md): the service-level
// answer time and the wait under which an abandon is "short".
type QueueThresholds struct {
	ServiceLevel time.Duration // default 20 s
	ShortAbandon time.Duration // default 5 s
}

// Figures are the standard KPIs of one queue over one window.
type Figures struct {
	Offered, Answered, AnsweredWithinSL, Abandoned, ShortAbandoned int64

	ServiceLevel Figure // answered within SL ÷ (offered − short abandoned)
	AbandonRate  Figure // (abandoned − short abandoned) ÷ (offered − short abandoned)
	ASA          Figure // seconds: total wait of answered ÷ answered
	Occupancy    Figure // (talk + hold) ÷ (talk + hold + available idle)
}

// tally is what happened in one bucket (or since midnight).
//
// Occupancy is integrated from changes rather than by spreading each agent
// state over the buckets it spans: a bucket keeps the net change in busy
// (talking or on hold) and idle (available) agents, and that change
// weighted by its offset from the bucket start. The agent-seconds of any
// span then follow from the count now and the changes inside it, so an
// update costs O(1) however long a state lasted.
type tally struct {
	offered, answered, withinSL, abandoned, shortAbandoned int64
	answeredWait                                           time.Duration

	busyDelta, idleDelta   int64
	busyMoment, idleMoment float64 // Σ change × seconds after the start
}

func (t *tally) addCounts(o *tally) {
	t.offered += o.offered
	t.answered += o.answered
	t.withinSL += o.withinSL
	t.abandoned += o.abandoned
	t.shortAbandoned += o.shortAbandoned
	t.answeredWait += o.answeredWait
}

// queueWindow is one queue's rolling state: a ring of buckets for the
// sliding windows and a running tally since local midnight.
type queueWindow struct {
	ring    [ringBuckets]tally
	head    int64 // absolute index of the newest bucket
	started bool
	latest  time.Time // events and reads never move time backwards

	today    tally
	dayStart time.Time

	busy, idle int64 // agents of the queue busy and available now
}

func bucketOf(t time.Time) int64 { return t.UnixNano() / int64(bucketWidth) }

func bucketStart(i int64) time.Time { return time.Unix(0, i*int64(bucketWidth)) }

func startOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// advance moves the window to t, clearing buckets that slid out and
// starting a new day at local midnight. It returns t, or the latest time
// already seen if t is earlier, so a late event lands in the current bucket.
func (q *queueWindow) advance(t time.Time, loc *time.Location) time.Time {
	if t.Before(q.latest) {
		t = q.latest
	}
	q.latest = t
	b := bucketOf(t)
	if !q.started {
		q.started, q.head = true, b
	}
	for i := q.head + 1; i <= b && i <= q.head+ringBuckets; i++ {
		q.ring[i%ringBuckets] = tally{}
	}
	if b > q.head {
		q.head = b
	}
	if day := startOfDay(t, loc); day.After(q.dayStart) {
		q.today, q.dayStart = tally{}, day
	}
	return t
}

// record applies one change to the current bucket and to today.
func (q *queueWindow) record(t time.Time, loc *time.Location, apply func(*tally)) {
	t = q.advance(t, loc)
	apply(&q.ring[q.head%ringBuckets])
	apply(&q.today)
}

func (q *queueWindow) queued(t time.Time, loc *time.Location) {
	q.record(t, loc, func(b *tally) { b.offered++ })
}

func (q *queueWindow) answered(t time.Time, loc *time.Location, wait time.Duration, withinSL bool) {
	q.record(t, loc, func(b *tally) {
		b.answered++
		b.answeredWait += wait
		if withinSL {
			b.withinSL++
		}
	})
}

func (q *queueWindow) abandoned(t time.Time, loc *time.Location, short bool) {
	q.record(t, loc, func(b *tally) {
		b.abandoned++
		if short {
			b.shortAbandoned++
		}
	})
}

// agentsChanged notes that busy and idle agents of the queue changed by
// the given amounts at t.
func (q *queueWindow) agentsChanged(t time.Time, loc *time.Location, busy, idle int64) {
	t = q.advance(t, loc)
	q.busy += busy
	q.idle += idle
	b := &q.ring[q.head%ringBuckets]
	intoBucket := t.Sub(bucketStart(q.head)).Seconds()
	b.busyDelta += busy
	b.idleDelta += idle
	b.busyMoment += float64(busy) * intoBucket
	b.idleMoment += float64(idle) * intoBucket
	intoDay := t.Sub(q.dayStart).Seconds()
	q.today.busyDelta += busy
	q.today.idleDelta += idle
	q.today.busyMoment += float64(busy) * intoDay
	q.today.idleMoment += float64(idle) * intoDay
}

// agentSeconds integrates busy and idle agents over one span from the
// changes it holds; the caller adds the count at the span start.
type agentSeconds struct {
	busyDelta, idleDelta int64
	busy, idle           float64
}

func (a *agentSeconds) add(b *tally, start, now time.Time) {
	elapsed := now.Sub(start).Seconds()
	a.busyDelta += b.busyDelta
	a.idleDelta += b.idleDelta
	a.busy += float64(b.busyDelta)*elapsed - b.busyMoment
	a.idle += float64(b.idleDelta)*elapsed - b.idleMoment
}

// figures computes window w as of now (advancing the window first).
func (q *queueWindow) figures(now time.Time, loc *time.Location, w Window) Figures {
	now = q.advance(now, loc)
	var sum tally
	var agents agentSeconds
	var spanStart time.Time
	if w == WindowToday {
		sum.addCounts(&q.today)
		agents.add(&q.today, q.dayStart, now)
		spanStart = q.dayStart
	} else {
		n := int64(30 * time.Minute / bucketWidth)
		if w == Window15m {
			n = int64(15 * time.Minute / bucketWidth)
		}
		for i := q.head - n + 1; i <= q.head; i++ {
			b := &q.ring[((i%ringBuckets)+ringBuckets)%ringBuckets]
			sum.addCounts(b)
			agents.add(b, bucketStart(i), now)
		}
		spanStart = bucketStart(q.head - n + 1)
	}
	// The counts at the span start are today's counts minus the changes
	// since; each contributed for the whole span.
	span := now.Sub(spanStart).Seconds()
	busy := agents.busy + float64(q.busy-agents.busyDelta)*span
	idle := agents.idle + float64(q.idle-agents.idleDelta)*span
	return kpis(&sum, busy, idle)
}

// kpis applies the docs/kpis.md formulas; a zero denominator leaves the figure
// undefined. Ratios are clamped to [0, 1] because a sliding window can
// hold the answer of a call whose offer slid out of it.
func kpis(s *tally, busySeconds, idleSeconds float64) Figures {
	f := Figures{
		Offered: s.offered, Answered: s.answered, AnsweredWithinSL: s.withinSL,
		Abandoned: s.abandoned, ShortAbandoned: s.shortAbandoned,
	}
	if base := s.offered - s.shortAbandoned; base > 0 {
		f.ServiceLevel = ratio(float64(s.withinSL) / float64(base))
		f.AbandonRate = ratio(float64(s.abandoned-s.shortAbandoned) / float64(base))
	}
	if s.answered > 0 {
		f.ASA = Figure{Value: s.answeredWait.Seconds() / float64(s.answered), Defined: true}
	}
	// Sub-millisecond totals are float noise from the integration, not work.
	if total := busySeconds + idleSeconds; total > 1e-3 {
		f.Occupancy = ratio(busySeconds / total)
	}
	return f
}

func ratio(v float64) Figure {
	return Figure{Value: min(max(v, 0), 1), Defined: true}
}
