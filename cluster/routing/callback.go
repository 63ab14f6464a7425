package routing

import (
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// callback applies a virtual hold command. A callback is held by the
// node that took the request (or restored it): its offers go there, and
// that node dials the agent, then the customer.
func (r *Router) callback(c Command) ([]acd.Action, error) {
	p := acd.CallbackPolicy{MaxAttempts: c.MaxAttempts, RetryAfter: millis(c.RetryAfterMS), GiveUpAfter: millis(c.GiveUpAfterMS)}
	switch c.Action {
	case "request":
		if !r.acd.CanCallback(c.Call) {
			return nil, acd.ErrNotWaiting
		}
		return r.holdFor(c.Callback, c.Node, func() ([]acd.Action, error) {
			return r.acd.RequestCallback(c.Call, c.Callback, c.Number, p)
		})
	case "restore":
		return r.holdFor(c.Callback, c.Node, func() ([]acd.Action, error) {
			return r.acd.RestoreCallback(acd.RestoredCallback{
				CallbackID: c.Callback, Queue: c.Queue, Caller: c.Caller, Number: c.Number, Priority: c.Priority,
				Queued: unixMillis(c.QueuedMS), GiveUpAt: unixMillis(c.GiveUpAtMS), Attempts: c.Attempts,
			}, p)
		})
	case "answered":
		return r.acd.CallbackAnswered(c.Callback)
	case "failed":
		return r.acd.CallbackFailed(c.Callback, c.Reason)
	case "drop":
		if _, ok := r.acd.IsCallback(c.Callback); !ok {
			return nil, nil
		}
		acts, err := r.acd.Abandon(c.Callback)
		delete(r.callNode, c.Callback)
		return acts, err
	}
	return nil, nil
}

// holdFor makes node the holder of the callback id for the ACD's own
// actions in run (its first offer may come at once), and keeps the holder
// it had when the ACD refuses: a node restoring a callback that another
// node took over is refused as a duplicate and must not take it away.
func (r *Router) holdFor(id, node string, run func() ([]acd.Action, error)) ([]acd.Action, error) {
	prev, held := r.callNode[id]
	r.callNode[id] = node
	acts, err := run()
	if err != nil {
		if held {
			r.callNode[id] = prev
		} else {
			delete(r.callNode, id)
		}
	}
	return acts, err
}

// CanCallback reports whether a waiting call can still be turned into a
// callback.
func (r *Router) CanCallback(call string) bool { return r.acd.CanCallback(call) }

// CallbackState is a pending callback's state, to persist it.
func (r *Router) CallbackState(id string) (acd.RestoredCallback, bool) {
	return r.acd.CallbackState(id)
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// unixMillis is a time carried as Unix milliseconds; 0 is no time.
func unixMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
