package callflow

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/queueing"
	"github.com/hotline-oss/hotline/sip"
)

// consultRingTimeout bounds how long a colleague's phone rings for a
// consult call; the consulting agent can hang up sooner.
const consultRingTimeout = 30 * time.Second

// Why a consult call ended (the Reason of ConsultEnded).
const (
	consultTransferred = "transferred"       // the consulted agent took the caller
	consultByConsulter = "consulter_hangup"  // the agent who placed it hung up
	consultByConsulted = "consulted_hangup"  // the colleague hung up
	consultShutdown    = "shutdown"          // the server stopped
	consultUnanswered  = "answer_not_acked"  // the consulting phone never took our answer
	consultTransferErr = "transfer_failed"   // the ACD refused the hand-over
	consultNoAnswer    = "no_answer"         // ringing the colleague failed, see consultStatus
	consultCancelled   = "cancelled"         // the consulting agent gave up while it rang
	consultNoContact   = "not_registered"    // the colleague has no registered phone
	consultBusyPhone   = "busy"              // the colleague's phone said busy
	consultDeclined    = "declined"          // the colleague's phone declined
	consultDialFailed  = "failed"            // anything else
	consultNotFree     = "agent_unavailable" // refused by the ACD before ringing
)

// consult is one agent's internal call to a colleague: the consulting
// agent's call to us (call) bridged with our leg to the colleague (leg).
type consult struct {
	id   string // Call-ID of the consulting agent's call to us
	from string // the consulting agent
	to   string // the consulted agent
	call *sip.Call
	leg  *sip.AgentLeg

	running chan struct{} // closed once the call's handler bridges it
	handoff chan handoff  // an attended transfer takes the colleague's leg
	done    chan struct{} // closed when the consult is over
	start   sync.Once
	end     sync.Once
}

// handoff asks a running consult for its colleague leg; the consult
// hangs its own call up only once finished is closed, so that the
// transfer's NOTIFY reaches the phone before that BYE.
type handoff struct {
	leg      chan *sip.AgentLeg
	finished chan struct{}
}

// consultRegistry holds the consults in progress by Call-ID. The zero
// value is ready to use.
type consultRegistry struct {
	mu   sync.Mutex
	byID map[string]*consult
}

func (r *consultRegistry) add(cs *consult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID = make(map[string]*consult)
	}
	r.byID[cs.id] = cs
}

func (r *consultRegistry) get(id string) *consult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

func (r *consultRegistry) remove(cs *consult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID[cs.id] == cs {
		delete(r.byID, cs.id)
	}
}

// IsInternal reports whether an agent-only number was dialled: a feature
// code, or a colleague's extension (a consult call).
func (f *Flow) IsInternal(number string) bool {
	return f.isFeature(number) || (f.d.Queueing != nil && f.d.Queueing.IsAgent(number))
}

// RingConsult is the endpoint's ConsultFunc: an agent's call to another
// agent's extension rings that agent, who is kept busy in the ACD
// meanwhile, before the consulting agent is answered. Feature codes pass
// through (0).
func (f *Flow) RingConsult(ctx context.Context, c *sip.Call) int {
	target := c.Number
	if !f.d.Queueing.IsAgent(target) {
		return 0
	}
	log := c.Logger().With("from_agent", c.Agent, "to_agent", target)
	if target == c.Agent {
		log.Info("consult call to oneself refused")
		return 486
	}
	err := f.d.Queueing.Do(queueing.ConsultStart{Agent: target, ConsultID: c.ID})
	if err != nil {
		log.Info("consult refused", "err", err)
		f.consultEvent(call.ConsultStarted, c, target, "")
		f.consultEvent(call.ConsultEnded, c, target, consultNotFree)
		if errors.Is(err, acd.ErrAgentLoggedOut) {
			return 480
		}
		if errors.Is(err, acd.ErrAgentNotFree) {
			return 486
		}
		return 500
	}
	f.consultEvent(call.ConsultStarted, c, target, "")
	c.Ring()
	leg, err := f.d.Phones.DialAgent(ctx, target, c.Agent, consultRingTimeout)
	if err != nil {
		status, reason := consultStatus(err)
		log.Info("consulted agent not reached", "err", err, "status", status)
		f.freeConsulted(target, c.ID)
		f.consultEvent(call.ConsultEnded, c, target, reason)
		return status
	}
	cs := &consult{
		id: c.ID, from: c.Agent, to: target, call: c, leg: leg,
		running: make(chan struct{}), handoff: make(chan handoff), done: make(chan struct{}),
	}
	f.consults.add(cs)
	go f.watchUnanswered(cs)
	log.Info("consult call connected")
	return 0
}

// consultStatus maps why the colleague was not reached to the status the
// consulting phone gets, and the ConsultEnded reason.
func consultStatus(err error) (int, string) {
	switch {
	case errors.Is(err, sip.ErrNoContact):
		return 480, consultNoContact
	case errors.Is(err, sip.ErrDialCancelled):
		return 487, consultCancelled
	case errors.Is(err, sip.ErrNoAnswer):
		return 480, consultNoAnswer
	case errors.Is(err, sip.ErrAgentBusy):
		return 486, consultBusyPhone
	case errors.Is(err, sip.ErrAgentDeclined):
		return 603, consultDeclined
	}
	return 500, consultDialFailed
}

// watchUnanswered ends a consult whose call never reached its handler:
// the consulting phone cancelled (during an answer delay) or did not
// acknowledge our answer.
func (f *Flow) watchUnanswered(cs *consult) {
	select {
	case <-cs.running:
	case <-cs.call.Gone():
		if f.claimRun(cs) {
			cs.leg.Hangup()
			f.finishConsult(cs, consultUnanswered)
		}
	}
}

// claimRun makes sure only one of the handler and watchUnanswered runs
// the consult.
func (f *Flow) claimRun(cs *consult) bool {
	first := false
	cs.start.Do(func() {
		first = true
		close(cs.running)
	})
	return first
}

// runConsult is the handler of a consult call: the two agents talk until
// one hangs up or an attended transfer takes the colleague's leg. false
// when c is not a consult call.
func (f *Flow) runConsult(ctx context.Context, c *sip.Call) bool {
	cs := f.consults.get(c.ID)
	if cs == nil || cs.call != c {
		return false
	}
	if !f.claimRun(cs) {
		return true // already ended by watchUnanswered
	}
	bridge, err := media.Bridge(c.Media(), cs.leg.Media())
	if err != nil {
		c.Logger().Warn("consult bridge failed", "err", err)
		cs.leg.Hangup()
		f.finishConsult(cs, consultDialFailed)
		return true
	}
	defer bridge.Close()
	reason := f.consultLoop(ctx, cs, bridge)
	if reason != consultTransferred {
		f.finishConsult(cs, reason)
	}
	return true
}

// consultLoop waits for the end of the consult and returns why it ended.
func (f *Flow) consultLoop(ctx context.Context, cs *consult, bridge *media.BridgeHandle) string {
	for {
		select {
		case <-cs.call.Done():
			cs.leg.Hangup()
			return consultByConsulter
		case <-cs.leg.Done():
			return consultByConsulted
		case <-ctx.Done():
			cs.leg.Hangup()
			return consultShutdown
		case r := <-cs.leg.Refers():
			// The colleague cannot transfer a consult call: it holds no caller.
			r.Notify(403, "Forbidden")
		case <-cs.leg.Holds():
			// The colleague's hold needs no music: both are agents.
		case h := <-cs.handoff:
			bridge.Close()
			f.consults.remove(cs)
			cs.end.Do(func() { close(cs.done) })
			h.leg <- cs.leg
			select {
			case <-h.finished:
			case <-ctx.Done():
			}
			return consultTransferred
		}
	}
}

// finishConsult frees the colleague in the ACD and reports the end.
func (f *Flow) finishConsult(cs *consult, reason string) {
	f.consults.remove(cs)
	cs.end.Do(func() { close(cs.done) })
	f.freeConsulted(cs.to, cs.id)
	f.consultEvent(call.ConsultEnded, cs.call, cs.to, reason)
	cs.call.Logger().Info("consult call ended", "from_agent", cs.from, "to_agent", cs.to, "reason", reason)
}

func (f *Flow) freeConsulted(agent, consultID string) {
	err := f.d.Queueing.Do(queueing.ConsultEnd{Agent: agent, ConsultID: consultID})
	if err != nil && !errors.Is(err, acd.ErrNoConsult) {
		f.d.Log.Info("consulted agent not freed", "agent", agent, "err", err)
	}
}

// handOver asks the consult for its colleague leg; nil when the consult
// ended first, or did not start within handoffWait (its call not yet
// acknowledged). The caller closes finished once the transfer is reported,
// and reports the consult's end.
func (cs *consult) handOver(finished chan struct{}) *sip.AgentLeg {
	h := handoff{leg: make(chan *sip.AgentLeg, 1), finished: finished}
	t := time.NewTimer(handoffWait)
	defer t.Stop()
	select {
	case cs.handoff <- h:
		return <-h.leg
	case <-cs.done:
	case <-t.C:
	}
	return nil
}

// handoffWait bounds how long a transfer waits for a consult call that is
// answered but not yet acknowledged by the consulting phone.
const handoffWait = 5 * time.Second

func (f *Flow) consultEvent(kind call.Kind, c *sip.Call, target, reason string) {
	f.d.Publish(call.Event{
		Kind: kind, Time: f.d.Clock.Now(), CallID: c.ID, Agent: c.Agent, Target: target, Reason: reason,
	})
}
