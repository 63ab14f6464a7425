package sip

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// DefaultMaxSources bounds the per-source table when the configuration
// gives no bound.
const DefaultMaxSources = 100_000

// requestClass picks a source's token bucket.
type requestClass uint8

const (
	classInvite requestClass = iota
	classRegister
	classOptions // OPTIONS and out-of-dialog methods we do not serve
	numClasses
)

func (c requestClass) String() string {
	switch c {
	case classInvite:
		return "INVITE"
	case classRegister:
		return "REGISTER"
	}
	return "OPTIONS"
}

// RateLimit is a token bucket: PerSecond tokens refill each second up to
// Burst. A zero PerSecond switches the limit off.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// bucket is one token bucket. The zero value is a full bucket: a source
// seen for the first time may send its whole burst.
type bucket struct {
	tokens float64
	at     time.Time
}

// take spends one token at now; when none is left it says how long until
// the next one.
func (b *bucket) take(now time.Time, l RateLimit) (ok bool, wait time.Duration) {
	if l.PerSecond <= 0 {
		return true, 0
	}
	burst := float64(max(l.Burst, 1))
	if b.at.IsZero() {
		b.tokens = burst
	} else if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed.Seconds()*l.PerSecond)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.PerSecond * float64(time.Second))
}

// sourceState is what we remember about one source address.
type sourceState struct {
	addr     netip.Addr
	buckets  [numClasses]bucket
	failures []time.Time // failed digest answers, oldest first
	loggedAt time.Time   // last guard log line for this source
	elem     *list.Element
}

type banEntry struct {
	addr  netip.Addr
	until time.Time
}

// sourceTable remembers sources for the guard and the authenticator. It is
// bounded: a flood from spoofed addresses must not grow memory without
// limit. Sources are kept in least-recently-seen order and the oldest idle
// one is forgotten when the table is full. Bans live apart, in the order
// they were made (all last equally long, so the oldest ends first), so that
// a flood of new sources cannot push a banned one out of the table before
// the ban of every other has been pushed out too.
type sourceTable struct {
	mu      sync.Mutex
	max     int
	sources map[netip.Addr]*sourceState
	lru     list.List // of *sourceState, most recently seen in front
	bans    map[netip.Addr]*list.Element
	banList list.List // of *banEntry, oldest in front
	evicted uint64
}

func newSourceTable(maxSources int) *sourceTable {
	if maxSources <= 0 {
		maxSources = DefaultMaxSources
	}
	return &sourceTable{
		max:     maxSources,
		sources: make(map[netip.Addr]*sourceState),
		bans:    make(map[netip.Addr]*list.Element),
	}
}

// get returns the state of addr, creating it (and forgetting the oldest
// idle source if the table is full). The caller holds t.mu.
func (t *sourceTable) get(addr netip.Addr) *sourceState {
	if s, ok := t.sources[addr]; ok {
		t.lru.MoveToFront(s.elem)
		return s
	}
	if len(t.sources) >= t.max {
		oldest := t.lru.Back()
		s := oldest.Value.(*sourceState)
		t.lru.Remove(oldest)
		delete(t.sources, s.addr)
		t.evicted++
	}
	s := &sourceState{addr: addr}
	s.elem = t.lru.PushFront(s)
	t.sources[addr] = s
	return s
}

// take spends a token of class for addr.
func (t *sourceTable) take(addr netip.Addr, class requestClass, now time.Time, l RateLimit) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.get(addr).buckets[class].take(now, l)
}

// shouldLog reports whether a guard log line for addr is due: at most one
// per source per interval, so that a flood cannot flood the logs too.
func (t *sourceTable) shouldLog(addr netip.Addr, now time.Time, interval time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(addr)
	if !s.loggedAt.IsZero() && now.Sub(s.loggedAt) < interval {
		return false
	}
	s.loggedAt = now
	return true
}

// fail records a failed authentication of addr at now and returns how many
// failures it has within window.
func (t *sourceTable) fail(addr netip.Addr, now time.Time, window time.Duration) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(addr)
	recent := s.failures[:0]
	for _, at := range s.failures {
		if now.Sub(at) < window {
			recent = append(recent, at)
		}
	}
	s.failures = append(recent, now)
	return len(s.failures)
}

// ban bans addr until the given time and forgets its failures. It reports
// whether the source was not banned already.
func (t *sourceTable) ban(addr netip.Addr, until time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.sources[addr]; ok {
		s.failures = nil
	}
	if el, ok := t.bans[addr]; ok {
		el.Value.(*banEntry).until = until
		t.banList.MoveToBack(el)
		return false
	}
	if len(t.bans) >= t.max {
		oldest := t.banList.Front()
		t.banList.Remove(oldest)
		delete(t.bans, oldest.Value.(*banEntry).addr)
	}
	t.bans[addr] = t.banList.PushBack(&banEntry{addr: addr, until: until})
	return true
}

// banned reports whether addr is banned at now; an expired ban is lifted.
func (t *sourceTable) banned(addr netip.Addr, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.bans[addr]
	if !ok {
		return false
	}
	if now.Before(el.Value.(*banEntry).until) {
		return true
	}
	t.banList.Remove(el)
	delete(t.bans, addr)
	return false
}

// bannedNow lists the sources banned at now, dropping expired bans.
func (t *sourceTable) bannedNow(now time.Time) []netip.Addr {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []netip.Addr
	for el := t.banList.Front(); el != nil; {
		next := el.Next()
		b := el.Value.(*banEntry)
		if now.Before(b.until) {
			out = append(out, b.addr)
		} else {
			t.banList.Remove(el)
			delete(t.bans, b.addr)
		}
		el = next
	}
	return out
}

// size reports how many sources and bans are held.
func (t *sourceTable) size() (sources, bans int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sources), len(t.bans)
}
