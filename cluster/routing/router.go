package routing

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// ErrUnknownCall is returned for a command about a call the leader does
// not hold (it ended, or the node's view is older than the leader's).
var ErrUnknownCall = errors.New("cluster: unknown call")

// Router is the leader's side of the decision path: it applies each
// command of the stream to the one ACD and turns the ACD's actions into
// decisions for the nodes that hold the calls and the agents. It is pure
// logic: no I/O, and the ACD's clock is the time each command carries, so
// applying the same commands (the stream) to the same configuration gives
// the same state and the same decisions, on the leader or on a node that
// replays the stream to take over. The leader's timers enter the stream
// too, as tick commands. The caller serialises every use.
type Router struct {
	acd       *acd.ACD
	clock     *stepClock
	callNode  map[string]string // call → node holding the caller's leg
	agentNode map[string]string // agent → node the agent last acted through
	applied   uint64            // the last stream sequence applied
	changed   map[string]bool   // agents whose state changed in the last Apply
	events    EventSink         // nil: the ACD's events go nowhere
	configs   ConfigLookup      // a reload's configuration, fetched by the caller (reload.go)
	hash      string            // EncodeConfig's hash of the configuration the ACD runs
	reloadSeq uint64            // the sequence of the last reload applied
	lost      []LostCall        // calls of dead nodes, oldest first (lost.go)
	// runHook replaces run in tests that break an invariant on purpose.
	runHook func(Command) ([]acd.Action, error)
}

// EventSink receives each event of the ACD with the node it belongs to:
// the node holding the call for a call's event, the node the agent acts
// through for an agent's state. That node alone announces it, so every
// event is recorded once in the cluster.
type EventSink func(e call.Event, node string)

// stepClock is the ACD's time: the time of the command being applied. It
// never goes back, so nodes' clocks that differ a little cannot make the
// ACD see time reversed.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

func (c *stepClock) advance(ms int64) {
	if t := time.UnixMilli(ms); t.After(c.t) {
		c.t = t
	}
}

// NewRouter builds the leader's ACD from cfg on the commands' clock. The
// random strategy gets a fixed seed (opts may replace it) so that a
// replay picks as the leader did. The Router observes the ACD's events
// itself: an observer among opts is replaced.
func NewRouter(cfg acd.Config, opts ...acd.Option) (*Router, error) {
	r := &Router{clock: &stepClock{}, callNode: map[string]string{}, agentNode: map[string]string{}, changed: map[string]bool{}}
	opts = append([]acd.Option{acd.WithRandSource(rand.NewPCG(0x686f746c, 0x696e65))}, opts...)
	opts = append(opts, acd.WithObserver(r.observe))
	a, err := acd.New(cfg, r.clock, opts...)
	if err != nil {
		return nil, fmt.Errorf("cluster: router: %w", err)
	}
	r.acd = a
	if r.hash, _, err = EncodeConfig(cfg); err != nil {
		return nil, fmt.Errorf("cluster: router: %w", err)
	}
	return r, nil
}

func (r *Router) observe(e call.Event) {
	if e.Kind == call.AgentStateChanged && e.Agent != "" {
		r.changed[e.Agent] = true
	}
	if r.events != nil {
		r.events(e, r.eventNode(e))
	}
}

// eventNode is the node an event of the ACD belongs to (see EventSink).
func (r *Router) eventNode(e call.Event) string {
	if e.Kind != call.AgentStateChanged && e.CallID != "" {
		if n, ok := r.callNode[e.CallID]; ok {
			return n
		}
	}
	return r.agentNode[e.Agent]
}

// SetEventSink hands the ACD's events, from the next Apply on, to sink.
func (r *Router) SetEventSink(sink EventSink) { r.events = sink }

// Agent is one agent as the ACD sees it now.
func (r *Router) Agent(id string) (acd.AgentInfo, error) { return r.acd.Agent(id) }

// CallbacksPending counts each queue's pending callbacks.
func (r *Router) CallbacksPending() map[string]int { return r.acd.CallbacksPending() }

// Changed lists the agents whose state the last Apply changed, sorted,
// with their state now: the leader keeps their presence in the shared
// store.
func (r *Router) Changed() []acd.AgentInfo {
	var out []acd.AgentInfo
	for _, id := range slices.Sorted(maps.Keys(r.changed)) {
		if info, err := r.acd.Agent(id); err == nil {
			out = append(out, info)
		}
	}
	return out
}

// Queues and Agents are the ACD's views, for the wallboard and tests.
func (r *Router) Queues() []acd.QueueStats { return r.acd.Queues() }

// Waiting lists the callers waiting in every queue, by queue and
// position.
func (r *Router) Waiting() []acd.WaitingCall { return r.acd.Waiting() }

// Agents: see Queues.
func (r *Router) Agents() []acd.AgentInfo { return r.acd.Agents() }

// NextDeadline is when the ACD's next timer is due: the leader then sends
// a tick command carrying that time.
func (r *Router) NextDeadline() (time.Time, bool) { return r.acd.NextDeadline() }

// Applied is the stream sequence of the last command applied: a new
// leader replays from the one after it.
func (r *Router) Applied() uint64 { return r.applied }

// Skip counts a dropped message of the stream as applied.
func (r *Router) Skip(seq uint64) {
	if seq > r.applied {
		r.applied = seq
	}
}

// Apply runs one command (seq is its stream sequence) and returns the
// decisions to send. A command the ACD refuses (an unknown agent, a call
// already gone) returns the ACD's error and changes nothing else; the
// sequence counts as applied either way, so a replay skips it.
func (r *Router) Apply(seq uint64, c Command) ([]Decision, error) {
	if seq != 0 && seq <= r.applied {
		return nil, nil // replayed: already applied
	}
	if seq != 0 {
		r.applied = seq
	}
	clear(r.changed)
	r.clock.advance(c.At)
	if c.Kind == CmdJoin {
		r.callNode[c.Call] = c.Node // its events and decisions go there
	}
	acts, err := r.runSafely(c)
	if err != nil && !errors.Is(err, ErrInternal) {
		return nil, fmt.Errorf("cluster: %s from %s: %w", c.Kind, c.Node, err)
	}
	ds := r.decisions(seq, acts)
	if c.Kind == CmdAbandon || c.Kind == CmdTalkEnded || c.Kind == CmdTransfer || c.Kind == CmdMove || err != nil {
		delete(r.callNode, c.Call) // the ACD is done with the call (a transferred or moved one joins again)
	}
	return ds, err
}

func (r *Router) run(c Command) ([]acd.Action, error) {
	switch c.Kind {
	case CmdJoin:
		var acts []acd.Action
		var err error
		if c.Prefer != "" {
			acts, err = r.acd.EnqueuePreferring(c.Call, c.Queue, c.Caller, c.Priority, c.Prefer, time.Duration(c.GraceMS)*time.Millisecond)
		} else {
			acts, err = r.acd.Enqueue(c.Call, c.Queue, c.Caller, c.Priority)
		}
		if err != nil {
			delete(r.callNode, c.Call)
		}
		return acts, err
	case CmdAbandon:
		return r.acd.Abandon(c.Call)
	case CmdOfferResult:
		// Reported by the node that dialled the agent (the caller's), not
		// the agent's own: agentNode stays.
		if c.Result == "answered" {
			return r.acd.OfferAnswered(c.Call, c.Agent)
		}
		return r.acd.OfferFailed(c.Call, c.Agent, acd.OfferFailure(c.Result))
	case CmdTalkEnded:
		return r.acd.TalkEnded(c.Call, call.HangupBy(c.Reason))
	case CmdHold:
		if c.Held {
			return nil, r.acd.Hold(c.Call)
		}
		return nil, r.acd.Unhold(c.Call)
	case CmdAgent:
		r.agentNode[c.Agent] = c.Node
		return r.agentCommand(c)
	case CmdNodeCalls:
		return nil, nil // the rebuild after a takeover reads these
	case CmdTick:
		return r.acd.Tick(), nil
	case CmdNodeGone:
		return r.nodeGone(c.Gone), nil
	case CmdTransfer:
		return r.acd.Transfer(c.Call, acd.TransferKind(c.Action), c.Target)
	case CmdAttended:
		return r.acd.AttendedTransfer(c.Call, c.Agent, c.Consult)
	case CmdConsult:
		if c.Action == "start" {
			return r.acd.ConsultStart(c.Agent, c.Consult)
		}
		return r.acd.ConsultEnd(c.Agent, c.Consult)
	case CmdMove:
		return r.acd.MoveWaiting(c.Call, c.Queue)
	case CmdDisposition:
		return nil, r.acd.SetDisposition(c.Agent, c.Reason, c.Resolved)
	case CmdCallback:
		return r.callback(c)
	case CmdReload:
		return r.reload(c)
	}
	return nil, fmt.Errorf("unknown command kind %q", c.Kind)
}

func (r *Router) agentCommand(c Command) ([]acd.Action, error) {
	switch c.Action {
	case "login":
		return r.acd.AgentLogin(c.Agent)
	case "login_paused":
		return r.acd.AgentLoginPaused(c.Agent, c.Reason)
	case "logout":
		return r.acd.AgentLogout(c.Agent)
	case "pause":
		return r.acd.AgentPause(c.Agent, c.Reason)
	case "ready":
		return r.acd.AgentReady(c.Agent)
	}
	return nil, fmt.Errorf("unknown agent action %q", c.Action)
}

// decisions addresses each action to the node that must carry it out:
// call actions to the node holding the caller, wrap-up to the agent's.
func (r *Router) decisions(seq uint64, acts []acd.Action) []Decision {
	out := make([]Decision, 0, len(acts))
	for _, a := range acts {
		d, ok := r.decision(a)
		if !ok {
			continue
		}
		d.Seq = seq
		out = append(out, d)
	}
	return out
}

func (r *Router) decision(a acd.Action) (Decision, bool) {
	var d Decision
	switch a := a.(type) {
	case acd.Queued:
		d = Decision{Kind: DecQueued, Call: a.CallID, Queue: a.Queue, Position: a.Position, ExpectedWaitMS: a.ExpectedWait.Milliseconds()}
	case acd.Blocked:
		d = Decision{Kind: DecBlocked, Call: a.CallID, Reason: a.Reason}
	case acd.Rejected:
		d = Decision{Kind: DecRejected, Call: a.CallID, Reason: a.Reason}
	case acd.Offer:
		d = Decision{Kind: DecOffer, Call: a.CallID, Agents: a.AgentIDs, TimeoutMS: a.Timeout.Milliseconds()}
	case acd.CancelOffer:
		d = Decision{Kind: DecCancelOffer, Call: a.CallID, Agent: a.AgentID}
	case acd.Connect:
		d = Decision{Kind: DecConnect, Call: a.CallID, Agent: a.AgentID, WorkNumber: a.WorkNumber, AnnounceAgent: a.AnnounceAgent}
	case acd.Announce:
		d = Decision{Kind: DecAnnounce, Call: a.CallID, Position: a.Position, ExpectedWaitMS: a.ExpectedWait.Milliseconds()}
	case acd.Overflow:
		d = Decision{Kind: DecOverflow, Call: a.CallID, Target: a.Target}
	case acd.Leave:
		d = Decision{Kind: DecLeave, Call: a.CallID, Reason: a.Reason}
	case acd.StartWrapup:
		d = Decision{Kind: DecWrapup, Agent: a.AgentID, UntilMS: a.Until.UnixMilli()}
		d.Node = r.agentNode[a.AgentID]
		return d, d.Node != ""
	default:
		return d, false
	}
	d.Node = r.callNode[d.Call]
	r.forget(d)
	return d, d.Node != ""
}

// nodeGone ends the calls a dead node held: their media ran there. A
// waiting caller leaves the queue; a connected call's talk ends (the
// agent goes to wrap-up). Calls are taken in id order, so every node's
// router does the same.
func (r *Router) nodeGone(node string) []acd.Action {
	var calls []string
	for call, n := range r.callNode {
		if n == node {
			calls = append(calls, call)
		}
	}
	slices.Sort(calls)
	var acts []acd.Action
	for _, id := range calls {
		info, err := r.acd.Call(id)
		var more []acd.Action
		if err == nil {
			r.noteLost(node, id, info)
		}
		switch {
		case err != nil:
		case info.Agent != "":
			more, _ = r.acd.TalkEnded(id, call.HangupByServer)
		default:
			more, _ = r.acd.Abandon(id)
		}
		acts = append(acts, more...)
		delete(r.callNode, id)
	}
	return acts
}

// Nodes lists the nodes holding calls or acting for agents, sorted: the
// leader watches these for death.
func (r *Router) Nodes() []string {
	seen := map[string]bool{}
	for _, n := range r.callNode {
		seen[n] = true
	}
	for _, n := range r.agentNode {
		seen[n] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// forget drops a call's node once the ACD is done with it.
func (r *Router) forget(d Decision) {
	switch d.Kind {
	case DecBlocked, DecRejected, DecLeave, DecOverflow:
		delete(r.callNode, d.Call)
	}
}
