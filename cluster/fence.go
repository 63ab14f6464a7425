package cluster

import (
	"fmt"
	"sync"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// ErrStaleTerm is returned for a decision made under an older term than
// one already seen: its leader has been replaced.
var ErrStaleTerm = routing.ErrStaleTerm

// ErrNoTerm is returned for a decision without a fencing token.
var ErrNoTerm = routing.ErrNoTerm

// Fence remembers the newest leader term seen and refuses anything older.
// Terms are lease revisions, so a later leader's term is always higher.
type Fence struct {
	mu      sync.Mutex
	highest uint64
	metrics *Metrics
}

// NewFence returns a fence that has seen no term; m may be nil.
func NewFence(m *Metrics) *Fence { return &Fence{metrics: m} }

// Observe raises the newest term seen (from the lease or a decision).
func (f *Fence) Observe(term uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if term > f.highest {
		f.highest = term
		f.metrics.sawTerm(term)
	}
}

// Admit accepts a decision's term if no newer term has been seen, and
// remembers it; a refused term is counted.
func (f *Fence) Admit(term uint64) error {
	if term == 0 {
		return ErrNoTerm
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if term < f.highest {
		f.metrics.staleDecision()
		return fmt.Errorf("%w: term %d, newest seen %d", ErrStaleTerm, term, f.highest)
	}
	if term > f.highest {
		f.highest = term
		f.metrics.sawTerm(term)
	}
	return nil
}

// Highest is the newest term seen.
func (f *Fence) Highest() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.highest
}
