package cdr

import (
	"hash/maphash"
	"maps"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// maxPathNodes bounds the IVR path kept per call, so a caller looping in a
// menu cannot grow a record without limit.
const maxPathNodes = 200

// Builder folds the events of one call into its record. It is not safe
// for concurrent use: the Recorder holds its lock around it.
type Builder struct {
	rec       CallRecord
	firstSeen time.Time // time of the first event, in case CallArrived was missed
	lastEvent time.Time
	holdStart time.Time // non-zero while the caller is on hold
	talk      talkSegment
	openVisit int // index into rec.Visits of the visit in progress, or -1
	// continues: for a callback's record, the inbound call whose queue
	// visit it carries on (see fold_callback.go).
	continues string
	finished  bool
	// provisional: finished by the Recorder, not by the stream.
	provisional bool
	seen        map[uint64]struct{} // hashes of the events folded, to skip replays
}

// eventSeed keys the event hashes; a pointer-free set keeps the garbage
// collector from scanning every lingering call.
var eventSeed = maphash.MakeSeed()

// eventKey identifies an event well enough to recognise the same event
// delivered twice (a replay), which must not be folded twice.
type eventKey struct {
	kind  call.Kind
	at    int64
	agent string
	node  string
	queue string
}

// NewBuilder starts the record of e's call.
func NewBuilder(e call.Event) *Builder {
	return &Builder{
		rec:       CallRecord{CallID: e.CallID},
		firstSeen: e.Time,
		openVisit: -1,
		seen:      make(map[uint64]struct{}, 16),
	}
}

// Apply folds one event into the record. It reports whether the event
// belongs to the call record at all.
func (b *Builder) Apply(e call.Event) bool {
	key := maphash.Comparable(eventSeed, eventKey{kind: e.Kind, at: e.Time.UnixNano(), agent: e.Agent, node: e.Node, queue: e.Queue})
	if _, dup := b.seen[key]; dup {
		return false
	}
	b.seen[key] = struct{}{}
	r := &b.rec
	if r.Caller == "" {
		r.Caller = e.Caller
	}
	if r.Number == "" {
		r.Number = e.Number
	}
	b.lastEvent = e.Time
	switch e.Kind {
	case call.CallArrived:
		r.Arrived = e.Time
	case call.CallAnswered:
		r.Answered, r.AnswerDelay = e.Time, e.Delay
	case call.IVRNodeEntered:
		b.enterNode(e)
	case call.LanguageChanged:
		r.Language = nonEmpty(e.Language, r.Language)
	case call.QueueRequested:
		setOnce(&r.IVREnded, e.Time)
		r.Queue = nonEmpty(e.Queue, r.Queue)
		r.Priority = e.Priority
		r.Language = nonEmpty(e.Language, r.Language)
		b.continues = nonEmpty(e.Target, b.continues)
	case call.Queued:
		b.queued(e)
	case call.Overflowed:
		b.closeVisit(e, OutcomeOverflowed)
	case call.Abandoned:
		b.callbackVisit(e)
		b.closeVisit(e, OutcomeAbandoned)
	case call.AgentOffered:
		setOnce(&r.AgentOffered, e.Time)
		r.AgentOffers++
	case call.AgentAnswered:
		b.agentAnswered(e)
	case call.Held:
		b.held(e.Time)
	case call.Unheld:
		b.unheld(e.Time)
	case call.Transferred:
		b.transferred(e)
	case call.TalkEnded:
		b.talkEnded(e)
	case call.CallEnded:
		b.ended(e)
	case call.CallBlocked:
		b.blocked(e)
	case call.AgentNoAnswer:
		// Counted by the offers; nothing of its own in the record.
	default:
		return false
	}
	return true
}

func (b *Builder) enterNode(e call.Event) {
	r := &b.rec
	if r.Flow == "" {
		r.Flow = e.Flow
	}
	if len(r.Path) < maxPathNodes {
		r.Path = append(r.Path, e.Node)
	}
}

func (b *Builder) queued(e call.Event) {
	r := &b.rec
	if b.openVisit >= 0 {
		// A second Queued without a close: the ACD moved the call itself.
		b.closeVisit(e, OutcomeOverflowed)
	}
	setOnce(&r.Queued, e.Time)
	setOnce(&r.IVREnded, e.Time)
	r.Queue = nonEmpty(e.Queue, r.Queue)
	if e.Priority != 0 {
		r.Priority = e.Priority
	}
	r.Visits = append(r.Visits, QueueVisit{
		Seq: len(r.Visits) + 1, Queue: e.Queue, Priority: e.Priority, Queued: e.Time,
	})
	b.openVisit = len(r.Visits) - 1
}

// closeVisit ends the visit in progress. The per-queue wait comes from the
// event when it carries one (Abandoned, Overflowed measure the stay in that
// queue), else from the timestamps.
func (b *Builder) closeVisit(e call.Event, outcome string) {
	if b.openVisit < 0 {
		return
	}
	v := &b.rec.Visits[b.openVisit]
	b.openVisit = -1
	v.Left, v.Outcome = e.Time, outcome
	v.Wait = max(e.Time.Sub(v.Queued), 0)
	if e.Wait > 0 && outcome != OutcomeAnswered {
		v.Wait = e.Wait
	}
	switch outcome {
	case OutcomeAnswered:
		v.Agent = e.Agent
	case OutcomeOverflowed:
		v.Target = e.Target
	}
	b.rec.QueueWait += v.Wait
}

func (b *Builder) ended(e call.Event) {
	r := &b.rec
	b.endTalk(e.Time)
	r.Ended = e.Time
	r.Result = e.Result
	r.EndReason = e.Reason
	r.Language = nonEmpty(e.Language, r.Language)
	if r.HangupBy == "" || r.AgentAnswered.IsZero() {
		r.HangupBy = e.HangupBy
	}
	if b.openVisit >= 0 {
		outcome := OutcomeEnded
		switch e.Result {
		case call.ResultAbandonedInQueue:
			outcome = OutcomeAbandoned
		case call.ResultCallback:
			outcome = OutcomeCallback
		}
		b.closeVisit(e, outcome)
	}
	setOnce(&r.IVREnded, e.Time)
	b.finished, b.provisional = true, false
}

func (b *Builder) blocked(e call.Event) {
	r := &b.rec
	r.Result, r.EndReason = call.ResultBlocked, e.Reason
	if e.Result != "" {
		r.Result = e.Result
	}
	setOnce(&r.Arrived, e.Time)
	r.Ended = e.Time
	b.finished, b.provisional = true, false
}

// Record returns a copy of the record as it stands, with the arrival
// filled in if CallArrived was missed.
func (b *Builder) Record() CallRecord {
	r := b.rec
	if r.Arrived.IsZero() {
		r.Arrived = b.firstSeen
	}
	r.Path = append([]string(nil), r.Path...)
	r.Visits = append([]QueueVisit(nil), r.Visits...)
	r.Vars = maps.Clone(r.Vars)
	return r
}

func setOnce(t *time.Time, v time.Time) {
	if t.IsZero() {
		*t = v
	}
}

func nonEmpty(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

// CallID is the call's id.
func (b *Builder) CallID() string { return b.rec.CallID }

// Finished reports whether the record is final: the stream ended the call,
// or Finish did.
func (b *Builder) Finished() bool { return b.finished }

// Provisional reports whether Finish ended the record for want of the
// call's end; it never replaces a record already written.
func (b *Builder) Provisional() bool { return b.provisional }

// LastEvent is the time of the last event folded.
func (b *Builder) LastEvent() time.Time { return b.lastEvent }

// SetVars attaches the variables the IVR collected.
func (b *Builder) SetVars(vars map[string]string) { b.rec.Vars = maps.Clone(vars) }

// SetRecording attaches the file name of the call's recording.
func (b *Builder) SetRecording(file string) { b.rec.RecordingFile = file }

// Finish ends a call the stream never ended, at endedAt, as failed with
// reason unless the stream said otherwise; the record is provisional.
func (b *Builder) Finish(reason string, endedAt time.Time) {
	if b.rec.Result == "" {
		b.rec.Result = call.ResultFailed
	}
	if b.rec.EndReason == "" {
		b.rec.EndReason = reason
	}
	b.rec.Ended = endedAt
	b.endTalk(endedAt)
	b.finished, b.provisional = true, true
}
