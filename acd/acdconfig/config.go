package acdconfig

import (
	"strings"
	"time"

	"github.com/hotline-oss/hotline/acd/strategy"
)

// What a queue does with a caller when none of its agents is logged in.
const (
	JoinEmptyWait   = "wait"
	JoinEmptyReject = "reject"
)

// Defaults. RingTimeout and ServiceLevel apply when the field is zero, since
// zero means nothing useful there. WrapUp, AutoPauseAfter, BusyBackoff and
// AnnounceEvery take zero literally (off); DefaultQueue fills them in.
const (
	DefaultRingTimeout    = 15 * time.Second
	DefaultWrapUp         = 30 * time.Second
	DefaultAutoPauseAfter = 3
	DefaultBusyBackoff    = 10 * time.Second
	DefaultAnnounceEvery  = 30 * time.Second
	DefaultServiceLevel   = 20 * time.Second
	// DefaultHandleTime stands in for the average handle time of a queue
	// that has not finished a call yet, so the first callers still hear a
	// plausible expected wait.
	DefaultHandleTime = 4 * time.Minute
)

// Skill levels run from MinSkillLevel to MaxSkillLevel.
const (
	MinSkillLevel = 1
	MaxSkillLevel = 10
)

// Config is every agent and queue the ACD serves.
type Config struct {
	Agents []AgentConfig
	Queues []QueueConfig
}

// AgentConfig describes one agent.
type AgentConfig struct {
	ID         string         // the agent's extension, e.g. "1001"
	Name       string         // display name
	WorkNumber string         // spoken to callers, e.g. "1024"
	Skills     map[string]int // skill → level 1..10
	Queues     []string       // queues the agent serves
}

// QueueConfig describes one queue.
type QueueConfig struct {
	Name     string
	Strategy string // one of strategy.Names; "" = longest-idle
	// RequiredSkills filters the queue's members for every strategy: only
	// agents holding each skill at the given level or higher get its calls.
	// skills-based also ranks them by the sum of those levels.
	RequiredSkills map[string]int
	MaxWaiting     int           // 0 = unlimited; a caller beyond it is Blocked
	MaxWait        time.Duration // 0 = none; after it the caller overflows
	OverflowTarget string        // "queue:<name>" or "ivr:<node>"; needed with MaxWait
	JoinEmpty      string        // JoinEmptyWait ("" too) or JoinEmptyReject
	LeaveWhenEmpty bool          // callers leave when the last agent logs out
	RingTimeout    time.Duration // 0 = DefaultRingTimeout
	WrapUp         time.Duration // after-call work; 0 = none
	AutoPauseAfter int           // consecutive no-answers before a pause; 0 = never
	BusyBackoff    time.Duration // skip an agent after busy/declined/failed; 0 = no backoff
	AnnounceEvery  time.Duration // position and EWT announcements; 0 = off
	ServiceLevel   time.Duration // answer-time threshold for reports; 0 = DefaultServiceLevel
	AnnounceAgent  bool          // tell the caller the agent's work number on connect
}

// DefaultQueue returns a queue with every documented default filled in. Map
// a YAML queue onto it so that keys left out keep their defaults and an
// explicit zero still means off.
func DefaultQueue(name string) QueueConfig {
	return QueueConfig{
		Name:           name,
		Strategy:       strategy.LongestIdle,
		JoinEmpty:      JoinEmptyWait,
		RingTimeout:    DefaultRingTimeout,
		WrapUp:         DefaultWrapUp,
		AutoPauseAfter: DefaultAutoPauseAfter,
		BusyBackoff:    DefaultBusyBackoff,
		AnnounceEvery:  DefaultAnnounceEvery,
		ServiceLevel:   DefaultServiceLevel,
	}
}

// WithDefaults fills the fields whose zero value has no meaning of its own.
func (q QueueConfig) WithDefaults() QueueConfig {
	if q.Strategy == "" {
		q.Strategy = strategy.LongestIdle
	}
	if q.JoinEmpty == "" {
		q.JoinEmpty = JoinEmptyWait
	}
	if q.RingTimeout == 0 {
		q.RingTimeout = DefaultRingTimeout
	}
	if q.ServiceLevel == 0 {
		q.ServiceLevel = DefaultServiceLevel
	}
	return q
}

// Overflow target kinds.
const (
	TargetQueue = "queue"
	TargetIVR   = "ivr"
)

// SplitTarget splits an overflow target such as "queue:complaints" into its
// kind and name. ok is false unless the kind is TargetQueue or TargetIVR and
// the name is not empty.
func SplitTarget(target string) (kind, name string, ok bool) {
	kind, name, found := strings.Cut(target, ":")
	if !found || name == "" || (kind != TargetQueue && kind != TargetIVR) {
		return "", "", false
	}
	return kind, name, true
}
