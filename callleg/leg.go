package callleg

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/ivr"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/sip"
)

// Prompts finds a prompt of a language, decoded and ready to play.
type Prompts interface {
	Get(lang, name string) *playout.Prompt
}

// Leg is a caller's call as the IVR's Leg: events in, playback out.
type Leg struct {
	c       *sip.Call
	stream  *media.Stream
	prompts Prompts
	events  chan interp.Event
	done    chan struct{}
	exited  chan struct{}
	buf     []*playout.Prompt
}

// New starts the leg's event pump; Stop ends it.
func New(ctx context.Context, c *sip.Call, ps Prompts) *Leg {
	l := &Leg{
		c: c, stream: c.Media(), prompts: ps,
		events: make(chan interp.Event, 32),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go l.pump(ctx)
	return l
}

// Call is the SIP call under the leg.
func (l *Leg) Call() *sip.Call { return l.c }

// pump merges the call's sources of events into the one channel the IVR
// reads: RTP digits, INFO digits, end of playback, hang-up.
func (l *Leg) pump(ctx context.Context) {
	defer close(l.exited)
	send := func(ev interp.Event) bool {
		select {
		case l.events <- ev:
			return true
		case <-l.done:
			return false
		}
	}
	for {
		var ev interp.Event
		select {
		case d := <-l.stream.Digits():
			ev = interp.Digit{D: d}
		case d := <-l.c.InfoDigits():
			ev = interp.Digit{D: d}
		case <-l.stream.PlaybackDone():
			ev = interp.PlaybackDone{}
		case <-l.c.Done():
			send(interp.CallerHangup{})
			return
		case <-ctx.Done():
			send(interp.CallerHangup{})
			return
		case <-l.done:
			return
		}
		if !send(ev) {
			return
		}
	}
}

// Stop ends the event pump and waits for it.
func (l *Leg) Stop() {
	close(l.done)
	<-l.exited
}

// Play plays refs in order; a prompt missing at run time is logged and
// skipped (configuration checks refuse missing prompts at load).
func (l *Leg) Play(refs []ivr.PromptRef, bargeIn bool) error {
	l.PlayWith(refs, nil)
	return nil
}

// PlayWith plays refs, looking each up in the prompt set, then with
// fallback (prompts that live outside the set, such as recorded notices).
func (l *Leg) PlayWith(refs []ivr.PromptRef, fallback func(ivr.PromptRef) *playout.Prompt) {
	l.buf = l.buf[:0]
	for _, r := range refs {
		p := l.prompts.Get(r.Lang, r.Name)
		if p == nil && fallback != nil {
			p = fallback(r)
		}
		if p == nil {
			l.c.Logger().Warn("prompt missing at run time", "prompt", r.String())
			continue
		}
		l.buf = append(l.buf, p)
	}
	l.stream.Play(l.buf...)
}

// Stream is the caller's media stream.
func (l *Leg) Stream() *media.Stream { return l.stream }

// Stopped is closed once Stop is called: work for the leg should end.
func (l *Leg) Stopped() <-chan struct{} { return l.done }

// Deliver adds an event of the caller's own work (a look-up's answer) to
// the leg's events; false when the leg stopped or ctx ended first.
func (l *Leg) Deliver(ctx context.Context, ev interp.Event) bool {
	select {
	case l.events <- ev:
		return true
	case <-l.done:
	case <-ctx.Done():
	}
	return false
}

func (l *Leg) StopPlayback()               { l.stream.StopPlayback() }
func (l *Leg) SetLanguage(string)          {}
func (l *Leg) Events() <-chan interp.Event { return l.events }

// CallerGone reports whether the caller's call has ended.
func (l *Leg) CallerGone() bool {
	select {
	case <-l.c.Done():
		return true
	default:
		return false
	}
}

// playAndWaitBound is the longest PlayAndWait waits for a playback's end.
const playAndWaitBound = 2 * time.Minute

// PlayAndWait plays refs to the end; true when the caller hung up first.
func (l *Leg) PlayAndWait(refs []ivr.PromptRef) (callerLeft bool) {
	_ = l.Play(refs, false)
	bound := time.NewTimer(playAndWaitBound)
	defer bound.Stop()
	for {
		select {
		case ev := <-l.events:
			switch ev.(type) {
			case interp.PlaybackDone:
				return false
			case interp.CallerHangup:
				return true
			}
			// The bound runs from the last event, as a silence would.
			if !bound.Stop() {
				<-bound.C
			}
			bound.Reset(playAndWaitBound)
		case <-bound.C:
			return false
		}
	}
}

// Drain drops the events pending on the leg (digits pressed ahead of a
// question, digits the caller pressed for the agent, a stale end of
// playback), so the next answer is one pressed after the question; it
// reports whether the caller hung up meanwhile.
func (l *Leg) Drain() (callerLeft bool) {
	for {
		select {
		case ev := <-l.events:
			if _, ok := ev.(interp.CallerHangup); ok {
				return true
			}
		default:
			return l.CallerGone()
		}
	}
}
