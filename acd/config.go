package acd

import (
	"github.com/hotline-oss/hotline/acd/acdconfig"
)

// The configuration types and their validation live in package acdconfig;
// the ACD's API keeps the names it has always used for them.

// Config is every agent and queue the ACD serves.
type Config = acdconfig.Config

// AgentConfig describes one agent.
type AgentConfig = acdconfig.AgentConfig

// QueueConfig describes one queue.
type QueueConfig = acdconfig.QueueConfig

// JoinEmptyReject: a queue that turns callers away while none of its
// agents is logged in (acdconfig has the other choice).
const JoinEmptyReject = acdconfig.JoinEmptyReject

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
