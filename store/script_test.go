package store

import (
	"time"

	"github.com/hotline-oss/hotline/call"
)

// script builds the event timeline of one call at fake times, as the
// server would publish it.
type script struct {
	base   call.Event
	t0     time.Time
	events []call.Event
}

func newScript(callID, caller string, t0 time.Time) *script {
	return &script{base: call.Event{CallID: callID, Caller: caller, Number: "95598"}, t0: t0}
}

type evOpt func(*call.Event)

// at adds an event sec seconds after the script's start.
func (s *script) at(sec float64, kind call.Kind, opts ...evOpt) *script {
	e := s.base
	e.Kind = kind
	e.Time = s.t0.Add(time.Duration(sec * float64(time.Second)))
	for _, o := range opts {
		o(&e)
	}
	s.events = append(s.events, e)
	return s
}

func (s *script) feed(r *Recorder) {
	for _, e := range s.events {
		r.HandleEvent(e)
	}
}

func queue(q string) evOpt       { return func(e *call.Event) { e.Queue = q } }
func agent(a string) evOpt       { return func(e *call.Event) { e.Agent = a } }
func prio(p int) evOpt           { return func(e *call.Event) { e.Priority = p } }
func lang(l string) evOpt        { return func(e *call.Event) { e.Language = l } }
func reason(r string) evOpt      { return func(e *call.Event) { e.Reason = r } }
func target(t string) evOpt      { return func(e *call.Event) { e.Target = t } }
func score(n int) evOpt          { return func(e *call.Event) { e.Score = n } }
func by(h call.HangupBy) evOpt   { return func(e *call.Event) { e.HangupBy = h } }
func result(r call.Result) evOpt { return func(e *call.Event) { e.Result = r } }
func secs(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}
func wait(sec float64) evOpt  { return func(e *call.Event) { e.Wait = secs(sec) } }
func delay(sec float64) evOpt { return func(e *call.Event) { e.Delay = secs(sec) } }
func node(flow, n string) evOpt {
	return func(e *call.Event) { e.Flow, e.Node, e.NodeType = flow, n, "menu" }
}
func transfer(kind, to string) evOpt {
	return func(e *call.Event) { e.TransferKind, e.Target = kind, to }
}
func dispo(category string, resolved bool) evOpt {
	return func(e *call.Event) { e.Category, e.Resolved = category, resolved }
}

// answeredCall scripts a plain answered call: arrive, IVR, queue for
// waitSec, talk for talkSec with holdSec of hold in the middle, agent
// wrap-up for acwSec after the caller hangs up.
func answeredCall(id, caller, q, ag string, t0 time.Time, waitSec, talkSec, holdSec, acwSec float64) *script {
	s := newScript(id, caller, t0).
		at(0, call.CallArrived).
		at(0.5, call.CallAnswered, delay(0.5)).
		at(1, call.IVRNodeEntered, node("main", "greeting")).
		at(10, call.QueueRequested, queue(q)).
		at(10, call.Queued, queue(q)).
		at(10+waitSec-2, call.AgentOffered, queue(q), agent(ag)).
		at(10+waitSec, call.AgentAnswered, queue(q), agent(ag), wait(waitSec))
	answered := 10 + waitSec
	if holdSec > 0 {
		s.at(answered+10, call.Held, agent(ag)).at(answered+10+holdSec, call.Unheld, agent(ag))
	}
	end := answered + talkSec + holdSec
	s.at(end, call.TalkEnded, agent(ag), by(call.HangupByCaller)).
		at(end, call.CallEnded, result(call.ResultAnsweredByAgent), reason("caller_hangup"), by(call.HangupByCaller))
	if acwSec > 0 {
		s.at(end+acwSec-1, call.DispositionSet, agent(ag), dispo("billing", true)).
			at(end+acwSec, call.WrapupEnded, agent(ag))
	}
	return s
}
