package clusterq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nuid"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"

	"github.com/hotline-oss/hotline/cluster/routing"
	"github.com/hotline-oss/hotline/queueing"
)

// sendTimeout bounds storing one command in the stream.
const sendTimeout = 2 * time.Second

// Do stores one command in the cluster's stream and returns the ACD's
// answer to it, as this node's router applied it (the leader's, applying
// the same stream, is the same). A node without NATS fails at once with
// cluster.ErrDown.
func (q *Queueing[L]) Do(cmd queueing.Command) error {
	rc, err := q.toRouting(cmd)
	if err != nil {
		return err
	}
	if ev := announcedFirst(cmd); ev.Kind != 0 {
		// A callback's own QueueRequested goes out right before the ACD's
		// events about it, once the ACD takes the request (before).
		rc.ID = nuid.Next()
		q.mu.Lock()
		q.first[rc.ID] = ev
		q.mu.Unlock()
		defer func() {
			q.mu.Lock()
			delete(q.first, rc.ID)
			q.mu.Unlock()
		}()
	}
	return q.send(rc)
}

// announcedFirst is the event a command carries for its node to announce
// before the ACD's own (see queueing.RequestCallback).
func announcedFirst(cmd queueing.Command) call.Event {
	switch c := cmd.(type) {
	case queueing.RequestCallback:
		return c.Requested
	case queueing.RestoreCallback:
		return c.Requested
	}
	return call.Event{}
}

// before is the Leader's look at each command right before this node's
// router applies it: a callback request (or restore) of this node that
// the ACD will take has its own event announced first.
func (q *Queueing[L]) before(cmd routing.Command, r *routing.Router) {
	if cmd.Node != q.deps.Conn.Node || cmd.Kind != routing.CmdCallback {
		return
	}
	q.mu.Lock()
	ev, ok := q.first[cmd.ID]
	delete(q.first, cmd.ID)
	q.mu.Unlock()
	if !ok || (cmd.Action == "request" && !r.CanCallback(cmd.Call)) {
		return
	}
	if _, held := r.CallbackState(cmd.Callback); cmd.Action == "restore" && held {
		return // another node holds it (took it over): refused as a duplicate
	}
	q.publish(ev)
}

// toRouting maps a queueing command onto the stream's command, checking
// on this node what the standalone runtime checks in the ACD's lock.
func (q *Queueing[L]) toRouting(cmd queueing.Command) (routing.Command, error) {
	switch c := cmd.(type) {
	case queueing.Enqueue:
		return routing.Command{Kind: routing.CmdJoin, Call: c.Call, Queue: c.Queue, Caller: c.Caller,
			Priority: c.Priority, Prefer: c.Prefer, GraceMS: c.Grace.Milliseconds()}, nil
	case queueing.Abandon:
		return routing.Command{Kind: routing.CmdAbandon, Call: c.Call}, nil
	case queueing.TalkEnded:
		return routing.Command{Kind: routing.CmdTalkEnded, Call: c.Call, Reason: string(c.By)}, nil
	case queueing.Hold:
		return routing.Command{Kind: routing.CmdHold, Call: c.Call, Held: c.Held}, nil
	case queueing.AgentLogin:
		return q.login(c)
	case queueing.AgentLogout:
		return agentCommand(c.Agent, "logout", ""), nil
	case queueing.AgentPause:
		return agentCommand(c.Agent, "pause", c.Reason), nil
	case queueing.AgentReady:
		return agentCommand(c.Agent, "ready", ""), nil
	case queueing.Transfer:
		return routing.Command{Kind: routing.CmdTransfer, Call: c.Call, Action: string(c.Kind), Target: c.Target}, nil
	case queueing.AttendedTransfer:
		return routing.Command{Kind: routing.CmdAttended, Call: c.Call, Agent: c.ToAgent, Consult: c.ConsultID}, nil
	case queueing.ConsultStart:
		return routing.Command{Kind: routing.CmdConsult, Agent: c.Agent, Consult: c.ConsultID, Action: "start"}, nil
	case queueing.ConsultEnd:
		return routing.Command{Kind: routing.CmdConsult, Agent: c.Agent, Consult: c.ConsultID, Action: "end"}, nil
	case queueing.MoveCall:
		return routing.Command{Kind: routing.CmdMove, Call: c.Call, Queue: c.To}, nil
	case queueing.SetDisposition:
		return routing.Command{Kind: routing.CmdDisposition, Agent: c.Agent, Reason: c.Category, Resolved: c.Resolved}, nil
	case queueing.RequestCallback:
		rc := callbackCommand("request", c.CallbackID, c.Policy)
		rc.Call, rc.Number = c.Call, c.Number
		return rc, nil
	case queueing.RestoreCallback:
		cb := c.Callback
		rc := callbackCommand("restore", cb.CallbackID, c.Policy)
		rc.Queue, rc.Caller, rc.Number, rc.Priority, rc.Attempts = cb.Queue, cb.Caller, cb.Number, cb.Priority, cb.Attempts
		rc.QueuedMS, rc.GiveUpAtMS = unixMillis(cb.Queued), unixMillis(cb.GiveUpAt)
		return rc, nil
	case queueing.CallbackAnswered:
		return callbackCommand("answered", c.ID, acd.CallbackPolicy{}), nil
	case queueing.CallbackFailed:
		rc := callbackCommand("failed", c.ID, acd.CallbackPolicy{})
		rc.Reason = c.Outcome
		return rc, nil
	case queueing.DropCallback:
		return callbackCommand("drop", c.ID, acd.CallbackPolicy{}), nil
	}
	return routing.Command{}, fmt.Errorf("%s: %w", cmd.Name(), ErrNotClustered)
}

func callbackCommand(step, id string, p acd.CallbackPolicy) routing.Command {
	return routing.Command{Kind: routing.CmdCallback, Action: step, Callback: id, MaxAttempts: p.MaxAttempts,
		RetryAfterMS: p.RetryAfter.Milliseconds(), GiveUpAfterMS: p.GiveUpAfter.Milliseconds()}
}

// unixMillis is t as Unix milliseconds; no time is 0.
func unixMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func agentCommand(agent, action, reason string) routing.Command {
	return routing.Command{Kind: routing.CmdAgent, Agent: agent, Action: action, Reason: reason}
}

// login refuses an unknown agent, and one with no phone registered on
// any node, before anything goes into the stream.
func (q *Queueing[L]) login(c queueing.AgentLogin) (routing.Command, error) {
	if _, err := q.Agent(c.Agent); err != nil {
		return routing.Command{}, err
	}
	if q.deps.Phones != nil && !q.deps.Phones.Registered(c.Agent) {
		return routing.Command{}, fmt.Errorf("agent %s cannot log in: %w: register the softphone, then log in", c.Agent, queueing.ErrNoPhone)
	}
	if c.Paused {
		return agentCommand(c.Agent, "login_paused", c.Reason), nil
	}
	return agentCommand(c.Agent, "login", ""), nil
}

// send stores rc and waits until this node's router has applied it.
func (q *Queueing[L]) send(rc routing.Command) error {
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		return queueing.ErrStopped
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	seq, err := q.deps.Conn.SendCommand(ctx, rc)
	if err != nil {
		return err
	}
	q.mu.Lock()
	if e, ok := q.early[seq]; ok {
		delete(q.early, seq)
		q.mu.Unlock()
		return e.err
	}
	ch := make(chan error, 1)
	q.results[seq] = ch
	q.mu.Unlock()
	t := time.NewTimer(q.deps.ApplyTimeout)
	defer t.Stop()
	select {
	case err := <-ch:
		return err
	case <-t.C:
		q.mu.Lock()
		delete(q.results, seq)
		q.mu.Unlock()
		return fmt.Errorf("cluster: %s stored as %d but not applied on this node within %s: %w",
			rc.Kind, seq, q.deps.ApplyTimeout, errNotApplied)
	}
}

// errNotApplied: the command is in the stream (the leader will apply it)
// but this node's router did not get to it in time.
var errNotApplied = errors.New("command not applied yet")

// earlyLimit is the number of outcomes kept for their senders past which
// those whose senders must have given up are dropped.
const earlyLimit = 4096

// earlyOutcome is an outcome that came before its sender knew the seq.
type earlyOutcome struct {
	err error
	at  time.Time
}

// applied is the Leader's report of each command its router applied; the
// outcomes of this node's own commands go to the Do waiting for them.
func (q *Queueing[L]) applied(seq uint64, cmd routing.Command, err error) {
	if cmd.Node != q.deps.Conn.Node || cmd.Kind == routing.CmdTick || cmd.Kind == routing.CmdNodeGone {
		return // the leader's own commands: nobody waits for them
	}
	if errors.Is(err, routing.ErrInternal) {
		// Counted once in the cluster: by the node whose command it was.
		err = fmt.Errorf("%w: %w", queueing.ErrInternal, err)
		if q.deps.OnInternalError != nil {
			q.deps.OnInternalError()
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if ch, ok := q.results[seq]; ok {
		delete(q.results, seq)
		ch <- err
		return
	}
	now := time.Now()
	if len(q.early) >= earlyLimit {
		for s, e := range q.early {
			if now.Sub(e.at) > 2*q.deps.ApplyTimeout {
				delete(q.early, s) // its sender gave up long ago
			}
		}
	}
	q.early[seq] = earlyOutcome{err: err, at: now}
}
