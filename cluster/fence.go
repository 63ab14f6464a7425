package cluster

import "sync"

// Fence remembers the newest leader term seen on the lease, so that what
// a leader writes (the shared presence) can be told from an older
// leader's. Terms are lease revisions: a later leader's is always higher.
type Fence struct {
	mu      sync.Mutex
	highest uint64
	metrics *Metrics
}

// NewFence returns a fence that has seen no term; m may be nil.
func NewFence(m *Metrics) *Fence { return &Fence{metrics: m} }

// Observe raises the newest term seen on the lease.
func (f *Fence) Observe(term uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if term > f.highest {
		f.highest = term
		f.metrics.sawTerm(term)
	}
}

// Highest is the newest term seen.
func (f *Fence) Highest() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.highest
}
