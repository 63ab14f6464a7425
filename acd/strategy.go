package acd

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Candidate is an agent as a queue's strategy sees it: eligible for the
// queue's calls right now. Its keys are copied in when it is added and do not
// change while the strategy holds it.
type Candidate struct {
	AgentID    string
	Member     int           // position among the queue's members, in config order; the last tie-break
	IdleSince  time.Time     // end of the agent's last call, or login
	CallsToday int           // calls answered today
	TalkToday  time.Duration // talk time today
	SkillScore int           // sum of the agent's levels in the queue's required skills

	slot  int    // where the strategy keeps it
	agent *agent // back-reference for the ACD; nil in strategy tests
}

// Strategy chooses who rings for a queue's next call. It keeps its own index
// of the queue's eligible agents, updated as they come and go, so that a
// choice costs far less than a scan of every agent.
type Strategy interface {
	// Name is the configuration name, e.g. "longest-idle".
	Name() string
	// Add makes c eligible. It must not already be held.
	Add(c *Candidate)
	// Remove withdraws c, which must be held.
	Remove(c *Candidate)
	// Len is the number of eligible agents held.
	Len() int
	// Pick appends to dst the agents to ring for the next call, best first,
	// passing over those for which skip (which may be nil) is true. It
	// appends nothing when no agent qualifies. Strategies with memory
	// (round-robin) treat a non-empty pick as made.
	Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate
}

// NewStrategy builds the named strategy for a queue with members agents.
// rng drives the random strategy; others ignore it.
func NewStrategy(name string, members int, rng *rand.Rand) (Strategy, error) {
	switch name {
	case StrategyLongestIdle, "":
		return newLongestIdle(), nil
	case StrategyRoundRobin:
		return newRoundRobin(members), nil
	case StrategyFewestCalls:
		return newFewestCalls(), nil
	case StrategyLeastTalkTime:
		return newLeastTalkTime(), nil
	case StrategyRingAll:
		return newRingAll(members), nil
	case StrategyRandom:
		if rng == nil {
			return nil, fmt.Errorf("acd: strategy %s needs a random source: %w", name, ErrBadArgument)
		}
		return newRandom(rng), nil
	case StrategySkillsBased:
		return newSkillsBased(), nil
	}
	return nil, fmt.Errorf("acd: unknown strategy %q: %w", name, ErrBadArgument)
}

// idleLonger is the common tie-break: longest idle first, then config order.
func idleLonger(a, b *Candidate) bool {
	if !a.IdleSince.Equal(b.IdleSince) {
		return a.IdleSince.Before(b.IdleSince)
	}
	return a.Member < b.Member
}
