package cluster

import (
	"context"
	"fmt"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/cluster/routing"
)

// AppliedFunc is told of each command this node's router applied, with
// the ACD's answer: every router applies the same stream to the same
// configuration, so the node that sent a command reads its outcome here
// without asking the leader. It runs under the Leader's lock: it must be
// brief and must not call back into the Leader.
type AppliedFunc func(seq uint64, cmd routing.Command, err error)

// BeforeFunc sees each command right before this node's router applies
// it, with the router as it stands: the node announces there what must
// come before the ACD's own events about the command. It runs under the
// Leader's lock, like AppliedFunc.
type BeforeFunc func(cmd routing.Command, r *routing.Router)

// BeforeApply sets the BeforeFunc; call it before Run. Commands applied
// silently (see Observe) are not shown.
func (l *Leader) BeforeApply(f BeforeFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.beforeApply = f
}

// Observe makes this node's router report what it applies: applied gets
// each command's outcome, events the ACD's events that belong to this
// node (routing.EventSink). Commands that were already in the stream when
// the node first read it are applied silently: their events were
// announced by the node of the time. Call it before Run; both run under
// the Leader's lock and must not block. The stream's end is read now:
// what this node sends from now on is reported.
func (l *Leader) Observe(ctx context.Context, applied AppliedFunc, events func(call.Event)) error {
	st, err := l.conn.JS.Stream(ctx, l.conn.Names.CommandStream())
	if err != nil {
		return fmt.Errorf("cluster: observe: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return fmt.Errorf("cluster: observe: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		l.started, l.startSeq = true, info.State.LastSeq
	}
	l.onApplied = applied
	if events == nil {
		l.router.SetEventSink(nil)
		return nil
	}
	l.router.SetEventSink(func(e call.Event, node string) {
		switch {
		case l.replaying:
		case node == l.conn.Node:
			events(e)
		case e.Kind == call.AgentStateChanged && l.otherAgents != nil:
			l.otherAgents(e) // observe_agents.go
		}
	})
	return nil
}

// View runs f on this node's router under the Leader's lock: the whole
// cluster's queues and agents as far as this node has applied the
// stream. f must be brief.
func (l *Leader) View(f func(r *routing.Router)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l.router)
}

// Following reports whether this node reads the command stream now.
func (l *Leader) Following() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.following
}
