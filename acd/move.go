package acd

import (
	"fmt"

	"github.com/hotline-oss/hotline/acd/action"
)

// Waiting lists every waiting call of every queue, in config order and by
// position within a queue.
func (a *ACD) Waiting() []WaitingCall {
	a.begin()
	return a.roster.WaitingCalls()
}

// MoveWaiting takes a waiting caller out of its queue and sends it to the
// queue named to: a supervisor rebalancing the floor. Agents ringing for
// the call stop ringing, without blame. The call leaves with an Overflow
// action to "queue:<to>", which the call path enters like any overflow, so
// the caller keeps their line and hears the new queue's welcome. A
// connected call (ErrNotWaiting), a pending callback (ErrBadArgument: it
// has no caller on the line to move) and a move to the call's own queue
// (ErrBadArgument) are refused.
func (a *ACD) MoveWaiting(callID, to string) ([]Action, error) {
	a.begin()
	c, err := a.callNamed(callID)
	if err != nil {
		return nil, err
	}
	target, err := a.queueNamed(to)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Connected():
		return nil, fmt.Errorf("acd: move %s: %w", callID, ErrNotWaiting)
	case c.Callback != nil:
		return nil, fmt.Errorf("acd: move %s: a pending callback stays in its queue: %w", callID, ErrBadArgument)
	case target == c.Queue:
		return nil, fmt.Errorf("acd: move %s: already in queue %q: %w", callID, to, ErrBadArgument)
	}
	dest := TargetQueue + ":" + target.Cfg.Name
	a.timers.Disarm(&c.RingTimer)
	a.withdrawAll(c, nil, action.ReasonMoved)
	a.markDirty(c.Queue) // the withdrawn agents may take the next caller
	a.removeWaiting(c, dest, action.ReasonMoved)
	a.do(Overflow{CallID: c.ID, Target: dest})
	a.route()
	return a.finish(), nil
}
