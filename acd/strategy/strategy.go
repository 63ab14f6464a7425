package strategy

import (
	"errors"
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

	// Owner is the caller's own handle on the agent (the ACD keeps its
	// agent here); strategies never look at it. nil in strategy tests.
	Owner any

	slot int // where the strategy keeps it
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

// Strategy names, as QueueConfig.Strategy spells them.
const (
	LongestIdle   = "longest-idle"
	RoundRobin    = "round-robin"
	FewestCalls   = "fewest-calls"
	LeastTalkTime = "least-talk-time"
	RingAll       = "ring-all"
	Random        = "random"
	SkillsBased   = "skills-based"
)

// Names lists every strategy name, for validation messages and docs.
var Names = []string{LongestIdle, RoundRobin, FewestCalls, LeastTalkTime, RingAll, Random, SkillsBased}

// ErrBadArgument: a strategy name New does not know, or a random strategy
// without its random source. The ACD reports it as its own ErrBadArgument.
var ErrBadArgument = errors.New("bad argument")

// New builds the named strategy for a queue with members agents. rng
// drives the random strategy; others ignore it.
func New(name string, members int, rng *rand.Rand) (Strategy, error) {
	switch name {
	case LongestIdle, "":
		return newLongestIdle(), nil
	case RoundRobin:
		return newRoundRobin(members), nil
	case FewestCalls:
		return newFewestCalls(), nil
	case LeastTalkTime:
		return newLeastTalkTime(), nil
	case RingAll:
		return newRingAll(members), nil
	case Random:
		if rng == nil {
			return nil, fmt.Errorf("acd: strategy %s needs a random source: %w", name, ErrBadArgument)
		}
		return newRandom(rng), nil
	case SkillsBased:
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

// Carry moves what old remembers into fresh, a strategy built anew for the
// same queue after its membership changed (a reload): a round-robin cursor
// goes on where it was, within the new members. The other strategies
// remember nothing.
func Carry(old, fresh Strategy, members int) {
	if o, ok := old.(*roundRobin); ok {
		if rr, ok := fresh.(*roundRobin); ok {
			rr.last = min(o.last, members-1)
		}
	}
}
