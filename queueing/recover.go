package queueing

import (
	"fmt"
	"runtime/debug"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// runLocked runs one command on the pure ACD and turns a panic into an
// error. What the ACD holds after a panic is what the command had done
// before it: the ACD checks a command's arguments before changing
// anything, so a panic comes from its own bookkeeping part-way through
// (an agent move its indexes promised was legal). The runtime then takes
// the concerned call out of the ACD with the ordinary commands (Abandon
// while it waits, TalkEnded once it talks: each frees what the call held,
// agent included) and tells the caller's goroutine to end it. Other calls
// and agents keep the state they had.
func (rt *Runtime[L]) runLocked(callID, what string, cmd func(a *acd.ACD) ([]acd.Action, error)) (acts []acd.Action, err error) {
	defer func() {
		if p := recover(); p != nil {
			acts = rt.recoveredLocked(callID, what, p)
			err = fmt.Errorf("%w: %s: %v", ErrInternal, what, p)
		}
	}()
	return cmd(rt.acd)
}

// recoveredLocked logs and counts a recovered panic and returns the
// actions that end the call concerned, if any.
func (rt *Runtime[L]) recoveredLocked(callID, what string, p any) []acd.Action {
	if rt.deps.OnInternalError != nil {
		rt.deps.OnInternalError()
	}
	rt.log.Error("acd invariant violated; ending the call it concerned", "component", "acd",
		"command", what, "call", callID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	if callID == "" {
		return nil
	}
	var acts []acd.Action
	for _, end := range []func(a *acd.ACD) ([]acd.Action, error){
		func(a *acd.ACD) ([]acd.Action, error) { return a.Abandon(callID) },
		func(a *acd.ACD) ([]acd.Action, error) { return a.TalkEnded(callID, call.HangupByServer) },
	} {
		more, err := rt.tryLocked(end)
		if err == nil {
			acts = append(acts, more...)
		}
	}
	return append(acts, acd.Leave{CallID: callID, Reason: ReasonInternalError})
}

// tryLocked runs a clean-up command; a second panic is only logged, the
// call still ends.
func (rt *Runtime[L]) tryLocked(cmd func(a *acd.ACD) ([]acd.Action, error)) (acts []acd.Action, err error) {
	defer func() {
		if p := recover(); p != nil {
			rt.log.Error("acd clean-up after an invariant violation failed", "panic", fmt.Sprint(p))
			acts, err = nil, fmt.Errorf("%w: clean-up: %v", ErrInternal, p)
		}
	}()
	return cmd(rt.acd)
}
