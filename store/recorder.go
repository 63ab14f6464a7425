package store

import (
	"sync"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/store/cdr"
)

// Reasons the Recorder gives to records it has to finish itself.
const (
	ReasonIncomplete = "incomplete_record" // no CallEnded within StaleCallAfter
	ReasonShutdown   = "server_shutdown"   // the store closed while the call was open
)

// Recorder turns the event stream into records. It folds each call's
// events into its CDR in memory and hands the record to the writer when the
// call ends (or is refused); agent state changes, dispositions, survey
// answers and wrap-ups go to the writer at once. HandleEvent never blocks
// and does no I/O (the bus calls it on the publisher's goroutine, which may
// hold the ACD's lock): it folds in memory and appends to the writer's
// bounded queue or, while spilling, to the spiller's backlog, which a
// goroutine of its own writes to the disk spool.
//
// A finished call lingers for a while so that events arriving after
// CallEnded (a late TalkEnded, a CallEnded after CallBlocked) still update
// its record; the record is then written again, which the upsert on call_id
// makes harmless.
type Recorder struct {
	out       func(record)
	clock     Clock
	linger    time.Duration
	stale     time.Duration
	maxLinger int

	mu        sync.Mutex
	open      map[string]*cdr.Builder
	done      map[string]*cdr.Builder
	doneOrder []lingering
	nextSweep time.Time
	touched   map[string]time.Time // clock time of each open call's last event
}

type lingering struct {
	callID string
	since  time.Time
}

func newRecorder(out func(record), clock Clock, linger, stale time.Duration) *Recorder {
	return &Recorder{
		out: out, clock: clock, linger: linger, stale: stale, maxLinger: 10000,
		open:    make(map[string]*cdr.Builder),
		done:    make(map[string]*cdr.Builder),
		touched: make(map[string]time.Time),
	}
}

// HandleEvent implements call.Subscriber.
func (r *Recorder) HandleEvent(e call.Event) {
	if r.handleSideRecord(e) {
		return
	}
	if e.CallID == "" {
		return
	}
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweepLocked(now)
	b, finishedBefore := r.builderLocked(e, now)
	if !b.Apply(e) {
		return
	}
	r.afterApplyLocked(b, finishedBefore, now)
}

// handleSideRecord sends the records that stand on their own and need no
// folding. They are keyed by call (or agent and time), so they may arrive
// before or after the call's own record.
func (r *Recorder) handleSideRecord(e call.Event) bool {
	switch e.Kind {
	case call.AgentStateChanged:
		if e.Agent == "" {
			return true
		}
		r.emit(record{AgentState: &AgentStateRecord{
			Agent: e.Agent, State: e.State, PrevState: e.PrevState, Reason: e.Reason, At: e.Time,
		}})
	case call.DispositionSet:
		if e.CallID != "" {
			r.emit(record{Disposition: &Disposition{
				CallID: e.CallID, Agent: e.Agent, Category: e.Category, Resolved: e.Resolved, At: e.Time,
			}})
		}
	case call.SurveyAnswered:
		if e.CallID != "" {
			r.emit(record{Survey: &SurveyAnswer{CallID: e.CallID, Score: e.Score, At: e.Time}})
		}
	case call.RecordingSaved:
		if e.CallID != "" && e.Detail != "" {
			r.SetRecording(e.CallID, e.Detail)
		}
	case call.WrapupEnded:
		if e.CallID != "" {
			r.emit(record{Wrapup: &Wrapup{CallID: e.CallID, Agent: e.Agent, At: e.Time}})
		}
	case call.ConsultStarted, call.ConsultEnded, call.MonitorStarted, call.MonitorEnded,
		call.TicketOpened, call.TicketChanged, call.TicketOverdue:
		// Agents' consult calls and supervisors' monitoring are internal:
		// no call record of their own (monitoring is in the audit log).
	default:
		return false
	}
	return true
}

// builderLocked finds the call's builder, open or lingering, or starts one.
func (r *Recorder) builderLocked(e call.Event, now time.Time) (b *cdr.Builder, finished bool) {
	if b, ok := r.done[e.CallID]; ok {
		return b, true
	}
	b, ok := r.open[e.CallID]
	if !ok {
		b = cdr.NewBuilder(e)
		r.open[e.CallID] = b
	}
	r.touched[e.CallID] = now
	return b, false
}

func (r *Recorder) afterApplyLocked(b *cdr.Builder, finishedBefore bool, now time.Time) {
	if !b.Finished() {
		return
	}
	if !finishedBefore {
		id := b.CallID()
		delete(r.open, id)
		delete(r.touched, id)
		r.done[id] = b
		r.doneOrder = append(r.doneOrder, lingering{callID: id, since: now})
		r.trimLingerLocked()
	}
	rec := b.Record()
	// Put under the lock, so that two versions of one record keep their
	// order.
	r.out(record{Call: &rec, Provisional: b.Provisional()})
}

// emit sends a record that needs no lock.
func (r *Recorder) emit(rec record) { r.out(rec) }

// SetVars attaches the variables the IVR collected (account numbers and
// the like) to the call's record. The event stream does not carry them, so
// the call flow hands them over directly, while the call is open or
// shortly after it ended (while its record lingers). It reports whether
// the call was known.
func (r *Recorder) SetVars(callID string, vars map[string]string) bool {
	return r.annotate(callID, func(b *cdr.Builder) { b.SetVars(vars) })
}

// SetRecording attaches the file name of the call's recording, like
// SetVars.
func (r *Recorder) SetRecording(callID, file string) bool {
	return r.annotate(callID, func(b *cdr.Builder) { b.SetRecording(file) })
}

func (r *Recorder) annotate(callID string, change func(*cdr.Builder)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.open[callID]; ok {
		change(b)
		return true
	}
	if b, ok := r.done[callID]; ok {
		change(b)
		r.afterApplyLocked(b, true, r.clock.Now())
		return true
	}
	return false
}

// sweepLocked forgets lingering calls past their time and finishes calls
// that have seen no event for too long, so that a lost CallEnded neither
// leaks memory nor loses the record.
func (r *Recorder) sweepLocked(now time.Time) {
	if now.Before(r.nextSweep) {
		return
	}
	r.nextSweep = now.Add(min(r.linger, r.stale) / 4)
	for len(r.doneOrder) > 0 && now.Sub(r.doneOrder[0].since) >= r.linger {
		delete(r.done, r.doneOrder[0].callID)
		r.doneOrder = r.doneOrder[1:]
	}
	for id, at := range r.touched {
		if now.Sub(at) >= r.stale {
			r.finishLocked(r.open[id], ReasonIncomplete, r.open[id].LastEvent(), now)
		}
	}
}

func (r *Recorder) trimLingerLocked() {
	for len(r.doneOrder) > r.maxLinger {
		delete(r.done, r.doneOrder[0].callID)
		r.doneOrder = r.doneOrder[1:]
	}
}

// finishLocked writes out a call the stream never ended.
func (r *Recorder) finishLocked(b *cdr.Builder, reason string, endedAt, now time.Time) {
	if endedAt.IsZero() {
		endedAt = now
	}
	b.Finish(reason, endedAt)
	r.afterApplyLocked(b, false, now)
}

// finishAll writes out every open call, at shutdown.
func (r *Recorder) finishAll() {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.open {
		r.finishLocked(b, ReasonShutdown, now, now)
	}
}

// OpenCalls reports how many calls are being folded right now.
func (r *Recorder) OpenCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.open)
}
