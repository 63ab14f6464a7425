package guard

import (
	"container/list"
	"strings"
	"sync"
	"time"
)

// DefaultMaxNonces bounds the nonce-count table when the configuration
// gives no bound.
const DefaultMaxNonces = 100_000

// nonceCounts remembers, for every nonce answered correctly, the highest
// nonce count (nc) seen, so that a captured answer cannot be replayed while
// its nonce is still fresh (RFC 7616 section 3.3: the same nc twice is a
// replay). The key is the nonce and the algorithm: both challenges of a 401
// share one nonce, and an answer for one algorithm says nothing about the
// other.
//
// The table is bounded. Entries leave when their nonce expires; under
// pressure the oldest entry is forgotten and every nonce issued up to its
// issue time is answered stale from then on, so a forgotten nonce can never
// be replayed: its phone merely takes one more challenge round.
type nonceCounts struct {
	mu      sync.Mutex
	max     int
	entries map[nonceKey]*list.Element
	order   list.List // of *nonceEntry, first seen first
	// floor: nonces issued at or before it that are not in the table are
	// refused, because their entry may have been forgotten.
	floor time.Time
}

type nonceKey struct{ nonce, algorithm string }

type nonceEntry struct {
	key     nonceKey
	issued  time.Time
	highest int
}

func newNonceCounts(maxNonces int) *nonceCounts {
	if maxNonces <= 0 {
		maxNonces = DefaultMaxNonces
	}
	return &nonceCounts{max: maxNonces, entries: make(map[nonceKey]*list.Element)}
}

// nonceUse is what the table says of one correct answer.
type nonceUse uint8

const (
	nonceNew       nonceUse = iota // a count above every one seen: accept
	nonceReplayed                  // a count seen before: a replay
	nonceForgotten                 // the entry may have been dropped under pressure
)

// use records nc for a correct answer to nonce (issued at issued). Entries
// whose nonce expired (issued before oldest) are dropped first.
func (n *nonceCounts) use(nonce, algorithm string, nc int, issued, oldest time.Time) nonceUse {
	if algorithm == "" {
		algorithm = "MD5" // RFC 7616: an absent algorithm means MD5
	}
	key := nonceKey{nonce: nonce, algorithm: strings.ToUpper(algorithm)}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dropExpired(oldest)
	if el, ok := n.entries[key]; ok {
		e := el.Value.(*nonceEntry)
		if nc <= e.highest {
			return nonceReplayed
		}
		e.highest = nc
		return nonceNew
	}
	if !issued.After(n.floor) {
		return nonceForgotten
	}
	if len(n.entries) >= n.max {
		n.forgetOldest()
	}
	n.entries[key] = n.order.PushBack(&nonceEntry{key: key, issued: issued, highest: nc})
	return nonceNew
}

// dropExpired forgets entries of nonces issued before oldest: those are
// answered stale whatever their count. It stops at the first fresh entry,
// so each call costs what it removes; an entry first seen out of issue
// order may linger a little, which only delays freeing its memory. The
// caller holds n.mu.
func (n *nonceCounts) dropExpired(oldest time.Time) {
	for el := n.order.Front(); el != nil; el = n.order.Front() {
		e := el.Value.(*nonceEntry)
		if !e.issued.Before(oldest) {
			return
		}
		n.order.Remove(el)
		delete(n.entries, e.key)
	}
}

// forgetOldest makes room; the caller holds n.mu.
func (n *nonceCounts) forgetOldest() {
	el := n.order.Front()
	e := el.Value.(*nonceEntry)
	n.order.Remove(el)
	delete(n.entries, e.key)
	if e.issued.After(n.floor) {
		n.floor = e.issued
	}
}

func (n *nonceCounts) size() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.entries)
}
