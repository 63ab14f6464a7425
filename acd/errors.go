package acd

import (
	"errors"

	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
)

// Sentinel errors; commands wrap them with context, so test with errors.Is.
var (
	// ErrInvalidConfig: Config.Validate (and New) found a problem.
	ErrInvalidConfig = acdconfig.ErrInvalidConfig
	// ErrUnknownQueue, ErrUnknownAgent, ErrUnknownCall: no such name or id.
	ErrUnknownQueue = errors.New("unknown queue")
	ErrUnknownAgent = errors.New("unknown agent")
	ErrUnknownCall  = errors.New("unknown call")
	// ErrDuplicateCall: Enqueue for a call the ACD already holds.
	ErrDuplicateCall = errors.New("call already in the ACD")
	// ErrInvalidTransition: the agent's state does not allow the command.
	ErrInvalidTransition = agentstate.ErrInvalidTransition
	// ErrNoOffer: the agent is not being offered that call (it was
	// answered elsewhere, withdrawn or timed out already).
	ErrNoOffer = errors.New("agent is not offered this call")
	// ErrNotWaiting: the call is not waiting in a queue (it is connected).
	ErrNotWaiting = errors.New("call is not waiting")
	// ErrNotConnected: the call is not connected to an agent.
	ErrNotConnected = errors.New("call is not connected to an agent")
	// ErrNoCall: the agent has no current or previous call to classify.
	ErrNoCall = errors.New("agent has no call")
	// ErrBadArgument: an enumerated argument (failure reason, transfer
	// kind, disposition category) is not one of its documented values.
	// An unknown strategy name is one too: the error is strategy's own.
	ErrBadArgument = strategy.ErrBadArgument
)
