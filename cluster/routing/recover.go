package routing

import (
	"errors"
	"fmt"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/call"
)

// ErrInternal is returned for a command that broke an invariant of the
// ACD (it panicked). Every router applies the same stream, so without
// this one command would stop every node at once; instead each router
// ends the call the command concerned, the same way, and goes on.
var ErrInternal = errors.New("cluster: acd internal error")

// ReasonInternalError is the reason of the leave decision that ends such
// a call (the same as the standalone runtime's).
const ReasonInternalError = "internal_error"

// runSafely is run with a panic of the ACD turned into ErrInternal and
// the actions that take the concerned call out of the ACD: an abandon
// while it waits, the end of the talk once it talks (each frees what the
// call held), then a leave for the caller's node.
func (r *Router) runSafely(c Command) (acts []acd.Action, err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		acts, err = nil, fmt.Errorf("%w: %s: %v", ErrInternal, c.Kind, p)
		if c.Call == "" {
			return
		}
		for _, end := range []func() ([]acd.Action, error){
			func() ([]acd.Action, error) { return r.acd.Abandon(c.Call) },
			func() ([]acd.Action, error) { return r.acd.TalkEnded(c.Call, call.HangupByServer) },
		} {
			if more, err := tryQuietly(end); err == nil {
				acts = append(acts, more...)
			}
		}
		acts = append(acts, acd.Leave{CallID: c.Call, Reason: ReasonInternalError})
	}()
	if r.runHook != nil {
		return r.runHook(c)
	}
	return r.run(c)
}

// tryQuietly runs a clean-up command; a second panic only fails it.
func tryQuietly(f func() ([]acd.Action, error)) (acts []acd.Action, err error) {
	defer func() {
		if p := recover(); p != nil {
			acts, err = nil, fmt.Errorf("%w: clean-up: %v", ErrInternal, p)
		}
	}()
	return f()
}
