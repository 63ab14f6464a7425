package interp

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/ivr"
)

// Leg is the caller's side of the call as the IVR sees it.
//
// Events must deliver Digit, PlaybackDone and CallerHangup; closing the
// channel counts as a hangup. PlaybackDone must refer to the newest Play and
// must not be sent for a playback that was stopped or replaced. Before each
// Play or StopPlayback, Run discards PlaybackDone events already queued, since
// they can only belong to the playback being replaced.
type Leg interface {
	Play(prompts []ivr.PromptRef, bargeIn bool) error // start playback, return at once
	StopPlayback()
	SetLanguage(lang string)
	Events() <-chan Event
}

// Timers starts timers; SystemTimers in production, a fake in tests.
type Timers interface {
	AfterFunc(d time.Duration, f func()) Stopper
}

// Stopper cancels a timer (*time.Timer satisfies it).
type Stopper interface{ Stop() bool }

// SystemTimers runs timers on the real clock.
var SystemTimers Timers = systemTimers{}

type systemTimers struct{}

func (systemTimers) AfterFunc(d time.Duration, f func()) Stopper { return time.AfterFunc(d, f) }

// Outcome is how the IVR part of a call ended, for the ACD and the call record.
type Outcome struct {
	Queue        string // non-empty: hand the call to this ACD queue
	Priority     int
	Hangup       bool // the flow hung up (see SelfService, Reason)
	SelfService  bool
	CallerHungUp bool
	AfterNotice  bool // the caller hung up at a notices node, having heard a notice
	Reason       string
	Vars         map[string]string
	Path         []string
	Language     string
}

// Run drives s over a live leg until the flow hands off, hangs up or the
// caller leaves. onNode, if non-nil, sees every NodeEntered.
//
// If ctx ends first, Run returns the outcome so far with Reason
// ReasonCancelled and an error wrapping ctx.Err(). A failed leg.Play also
// ends the run with an error. All timers are stopped before Run returns.
func Run(ctx context.Context, s *Session, leg Leg, timers Timers, onNode func(NodeEntered)) (Outcome, error) {
	r := &runner{
		s: s, leg: leg, timers: timers, onNode: onNode,
		fired: make(chan uint64),
		quit:  make(chan struct{}),
	}
	defer r.close()
	actions := s.Start()
	for {
		out, end, err := r.apply(actions)
		if end || err != nil {
			return out, err
		}
		ev, err := r.next(ctx)
		if err != nil {
			out := r.outcome()
			out.Reason = ReasonCancelled
			return out, fmt.Errorf("ivr: run flow %s: %w", s.flow.Name, err)
		}
		if _, ok := ev.(CallerHangup); ok {
			s.Handle(ev)
			out := r.outcome()
			out.CallerHungUp, out.Reason = true, ReasonCallerHangup
			out.AfterNotice = s.AtNotice()
			return out, nil
		}
		actions = s.Handle(ev)
	}
}

type runner struct {
	s       *Session
	leg     Leg
	timers  Timers
	onNode  func(NodeEntered)
	timer   Stopper
	fired   chan uint64
	quit    chan struct{}
	pending []Event // leg events read early while dropping stale PlaybackDone
	closed  bool    // the leg's event channel is closed
}

// apply carries out actions in order; end reports a terminal action.
func (r *runner) apply(actions []Action) (out Outcome, end bool, err error) {
	for _, a := range actions {
		switch a := a.(type) {
		case Play:
			r.dropStalePlaybackDone()
			if err := r.leg.Play(a.Prompts, a.BargeIn); err != nil {
				out = r.outcome()
				return out, true, fmt.Errorf("ivr: play %v: %w", a.Prompts, err)
			}
		case StopPlayback:
			r.dropStalePlaybackDone()
			r.leg.StopPlayback()
		case StartTimer:
			r.startTimer(a)
		case NodeEntered:
			if r.onNode != nil {
				r.onNode(a)
			}
		case SetLanguage:
			r.leg.SetLanguage(a.Lang)
		case Lookup, NoticeHeard, StartRecording, StopRecording, FileFaultReport:
			r.delegate(a)
		case EnterQueue:
			out = r.outcome()
			out.Queue, out.Priority = a.Queue, a.Priority
			return out, true, nil
		case Hangup:
			out = r.outcome()
			out.Hangup, out.SelfService, out.Reason = true, a.SelfService, a.Reason
			return out, true, nil
		}
	}
	return Outcome{}, false, nil
}

func (r *runner) startTimer(a StartTimer) {
	if r.timer != nil {
		r.timer.Stop() // only the newest timer is live
	}
	id := a.ID
	r.timer = r.timers.AfterFunc(a.After, func() {
		select {
		case r.fired <- id:
		case <-r.quit:
		}
	})
}

// dropStalePlaybackDone moves events the leg has already queued into
// pending, leaving out PlaybackDone: called just before a playback is
// replaced, any queued PlaybackDone belongs to the old one and would
// otherwise end the new prompt early. Draining before, not after, the leg
// call means the end of a very short new prompt can never be lost.
func (r *runner) dropStalePlaybackDone() {
	for !r.closed {
		select {
		case ev, ok := <-r.leg.Events():
			if !ok {
				r.closed = true
				r.pending = append(r.pending, CallerHangup{})
				return
			}
			if _, stale := ev.(PlaybackDone); !stale {
				r.pending = append(r.pending, ev)
			}
		default:
			return
		}
	}
}

func (r *runner) next(ctx context.Context) (Event, error) {
	if len(r.pending) > 0 {
		ev := r.pending[0]
		r.pending = r.pending[1:]
		return ev, nil
	}
	events := r.leg.Events()
	if r.closed {
		events = nil
	}
	select {
	case ev, ok := <-events:
		if !ok {
			r.closed = true
			return CallerHangup{}, nil
		}
		return ev, nil
	case id := <-r.fired:
		return TimerFired{ID: id}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *runner) outcome() Outcome {
	return Outcome{Vars: r.s.Vars(), Path: r.s.Path(), Language: r.s.Language()}
}

func (r *runner) close() {
	if r.timer != nil {
		r.timer.Stop()
	}
	close(r.quit)
}
