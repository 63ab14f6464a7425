package sip

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Why a new call was refused at the door (the Reason of its CallBlocked
// event). Every one of them is answered 503 with Retry-After.
const (
	BlockedChannelLimit = "channel_limit" // sip.max_calls calls are up
	BlockedCallRate     = "call_rate"     // more new calls per second than sip.max_calls_per_second
	BlockedCPU          = "cpu"           // the process uses more than sip.max_cpu_percent
	BlockedDraining     = "draining"      // shutting down
	BlockedClusterDown  = "cluster_down"  // the node lost the cluster's shared state (OverloadConfig.Admit)
)

// DefaultRetryAfter is the Retry-After of a 503 for a refused call.
const DefaultRetryAfter = 30 * time.Second

// cpuSampleEvery is how often process CPU is sampled; the limit compares
// the use over the last second (the last four intervals).
const cpuSampleEvery = 250 * time.Millisecond

// OverloadConfig limits new calls beyond the channel limit (MaxCalls).
// Calls already up are never touched.
type OverloadConfig struct {
	// MaxCallsPerSecond admits at most this many new calls per second
	// (a token bucket as deep as one second of calls); 0 is no limit.
	MaxCallsPerSecond float64
	// MaxCPUPercent refuses new calls while the process used more than
	// this share of the whole machine (all cores = 100) over the last
	// second; 0 is no limit.
	MaxCPUPercent float64
	// RetryAfter is sent with every 503 for a refused call (default 30 s).
	RetryAfter time.Duration
	// CPUPercent, when set, replaces the process CPU sampler (tests).
	CPUPercent func() float64
	// Admit, when set, is asked first about every new call: a non-empty
	// answer (a Blocked* reason) refuses it with 503. A cluster node
	// that lost NATS refuses this way.
	Admit func() string
}

// overloadGuard decides whether a new call may start.
type overloadGuard struct {
	cfg OverloadConfig
	now func() time.Time

	mu  sync.Mutex
	cps bucket
}

func newOverloadGuard(cfg OverloadConfig, now func() time.Time) *overloadGuard {
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	return &overloadGuard{cfg: cfg, now: now}
}

// admit says why a new call cannot start now, or "" when it may. CPU is
// checked first so that a refusal for CPU spends no call-rate token.
func (o *overloadGuard) admit() string {
	if o.cfg.Admit != nil {
		if reason := o.cfg.Admit(); reason != "" {
			return reason
		}
	}
	if o.cfg.MaxCPUPercent > 0 && o.cfg.CPUPercent != nil && o.cfg.CPUPercent() > o.cfg.MaxCPUPercent {
		return BlockedCPU
	}
	if o.cfg.MaxCallsPerSecond > 0 {
		limit := RateLimit{PerSecond: o.cfg.MaxCallsPerSecond, Burst: int(math.Ceil(o.cfg.MaxCallsPerSecond))}
		o.mu.Lock()
		ok, _ := o.cps.take(o.now(), limit)
		o.mu.Unlock()
		if !ok {
			return BlockedCallRate
		}
	}
	return ""
}

// cpuSampler turns the process's CPU time, read every cpuSampleEvery, into
// its share of the machine over the last second.
type cpuSampler struct {
	read  func() (time.Duration, error) // CPU time the process used so far
	cores int

	mu      sync.Mutex
	samples [5]cpuSample // ring: four intervals of 250 ms
	n, next int
	percent atomic.Uint64 // float64 bits, read on every INVITE without a lock
}

type cpuSample struct {
	at  time.Time
	cpu time.Duration
}

func newCPUSampler(read func() (time.Duration, error), cores int) *cpuSampler {
	return &cpuSampler{read: read, cores: max(cores, 1)}
}

// sample takes one reading at now and updates the percentage.
func (s *cpuSampler) sample(now time.Time) error {
	used, err := s.read()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples[s.next] = cpuSample{at: now, cpu: used}
	s.next = (s.next + 1) % len(s.samples)
	s.n = min(s.n+1, len(s.samples))
	if s.n < 2 {
		return nil
	}
	oldest := s.samples[(s.next+len(s.samples)-s.n)%len(s.samples)]
	elapsed := now.Sub(oldest.at)
	if elapsed <= 0 {
		return nil
	}
	p := float64(used-oldest.cpu) / float64(elapsed) / float64(s.cores) * 100
	s.percent.Store(math.Float64bits(max(p, 0)))
	return nil
}

// Percent is the process's CPU share over the last second, 0–100.
func (s *cpuSampler) Percent() float64 { return math.Float64frombits(s.percent.Load()) }

// blockedRejectReason maps a Blocked* reason to its reject reason.
func blockedRejectReason(blocked string) string {
	if blocked == BlockedDraining {
		return RejectDraining
	}
	return RejectOverload
}
