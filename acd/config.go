package acd

import (
	"github.com/hotline-oss/hotline/acd/acdconfig"
	"github.com/hotline-oss/hotline/acd/strategy"
)

// The configuration types and their validation live in package acdconfig;
// the ACD's API keeps the names it has always used for them.

// Config is every agent and queue the ACD serves.
type Config = acdconfig.Config

// AgentConfig describes one agent.
type AgentConfig = acdconfig.AgentConfig

// QueueConfig describes one queue.
type QueueConfig = acdconfig.QueueConfig

// Strategy names accepted in QueueConfig.Strategy (package strategy
// implements them).
const (
	StrategyLongestIdle   = strategy.LongestIdle
	StrategyRoundRobin    = strategy.RoundRobin
	StrategyFewestCalls   = strategy.FewestCalls
	StrategyLeastTalkTime = strategy.LeastTalkTime
	StrategyRingAll       = strategy.RingAll
	StrategyRandom        = strategy.Random
	StrategySkillsBased   = strategy.SkillsBased
)

// Strategies lists every strategy name, for validation messages and docs.
var Strategies = strategy.Names

// What a queue does with a caller when none of its agents is logged in.
const (
	JoinEmptyWait   = acdconfig.JoinEmptyWait
	JoinEmptyReject = acdconfig.JoinEmptyReject
)

// Defaults (see acdconfig).
const (
	DefaultRingTimeout    = acdconfig.DefaultRingTimeout
	DefaultWrapUp         = acdconfig.DefaultWrapUp
	DefaultAutoPauseAfter = acdconfig.DefaultAutoPauseAfter
	DefaultBusyBackoff    = acdconfig.DefaultBusyBackoff
	DefaultAnnounceEvery  = acdconfig.DefaultAnnounceEvery
	DefaultServiceLevel   = acdconfig.DefaultServiceLevel
	DefaultHandleTime     = acdconfig.DefaultHandleTime
)

// Skill levels run from MinSkillLevel to MaxSkillLevel.
const (
	MinSkillLevel = acdconfig.MinSkillLevel
	MaxSkillLevel = acdconfig.MaxSkillLevel
)

// Overflow target kinds.
const (
	TargetQueue = acdconfig.TargetQueue
	TargetIVR   = acdconfig.TargetIVR
)

// DefaultQueue returns a queue with every documented default filled in.
func DefaultQueue(name string) QueueConfig { return acdconfig.DefaultQueue(name) }

// SplitTarget splits an overflow target such as "queue:complaints" into its
// kind and name; see acdconfig.SplitTarget.
func SplitTarget(target string) (kind, name string, ok bool) { return acdconfig.SplitTarget(target) }
