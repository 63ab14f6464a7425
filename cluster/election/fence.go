package election

import "sync"

// Fence remembers the newest leader term seen on the lease, so that what
// a leader writes (the shared presence) can be told from an older
// leader's. Terms are lease revisions: a later leader's is always higher.
type Fence struct {
	mu      sync.Mutex
	highest uint64
	raised  func(term uint64)
}

// NewFence returns a fence that has seen no term; raised, if not nil, is
// told each newer term (for the term gauge) under the fence's lock, so it
// must be brief.
func NewFence(raised func(term uint64)) *Fence { return &Fence{raised: raised} }

// Observe raises the newest term seen on the lease.
func (f *Fence) Observe(term uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if term > f.highest {
		f.highest = term
		if f.raised != nil {
			f.raised(term)
		}
	}
}

// Highest is the newest term seen.
func (f *Fence) Highest() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.highest
}
