package guard

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

// CPUSampleEvery is how often process CPU is sampled; the limit compares
// the use over the last second (the last four intervals).
const CPUSampleEvery = 250 * time.Millisecond

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

// Overload decides whether a new call may start.
type Overload struct {
	cfg OverloadConfig
	now func() time.Time

	mu  sync.Mutex
	cps bucket
}

// NewOverload builds the limits of cfg on the clock now.
func NewOverload(cfg OverloadConfig, now func() time.Time) *Overload {
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	return &Overload{cfg: cfg, now: now}
}

// Admit says why a new call cannot start now, or "" when it may. CPU is
// checked first so that a refusal for CPU spends no call-rate token.
func (o *Overload) Admit() string {
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

// CPUSampler turns the process's CPU time, read every CPUSampleEvery, into
// its share of the machine over the last second.
type CPUSampler struct {
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

// NewCPUSampler measures the CPU time read returns against cores cores.
func NewCPUSampler(read func() (time.Duration, error), cores int) *CPUSampler {
	return &CPUSampler{read: read, cores: max(cores, 1)}
}

// sample takes one reading at now and updates the percentage.
func (s *CPUSampler) Sample(now time.Time) error {
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
func (s *CPUSampler) Percent() float64 { return math.Float64frombits(s.percent.Load()) }

// BlockedRejectReason maps a Blocked* reason to its reject reason.
func BlockedRejectReason(blocked string) string {
	if blocked == BlockedDraining {
		return RejectDraining
	}
	return RejectOverload
}

// RetryAfter is the Retry-After sent with every 503 for a refused call.
func (o *Overload) RetryAfter() time.Duration { return o.cfg.RetryAfter }

// NeedsCPUSampler reports whether a CPU limit is set without a sampler to
// measure it; the owner then samples the process and calls SetCPUPercent
// before the first Admit.
func (o *Overload) NeedsCPUSampler() bool {
	return o.cfg.MaxCPUPercent > 0 && o.cfg.CPUPercent == nil
}

// SetCPUPercent installs the sampler of process CPU; see NeedsCPUSampler.
func (o *Overload) SetCPUPercent(percent func() float64) { o.cfg.CPUPercent = percent }
