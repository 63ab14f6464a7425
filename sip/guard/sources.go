package guard

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// DefaultMaxSources bounds the per-source table when the configuration
// gives no bound.
const DefaultMaxSources = 100_000

// DefaultIPv6PrefixLength groups IPv6 sources by /64: one customer line or
// host gets a whole /64 and can rotate through it at will, so an address
// alone identifies nobody.
const DefaultIPv6PrefixLength = 64

// Class picks a source's token bucket.
type Class uint8

const (
	ClassInvite Class = iota
	ClassRegister
	ClassOptions // OPTIONS and out-of-dialog methods we do not serve
	numClasses
)

// Unguarded is the class of requests that get no bucket: the endpoint
// uses it for requests inside a dialog, which the guard only observes.
const Unguarded = numClasses

func (c Class) String() string {
	switch c {
	case ClassInvite:
		return "INVITE"
	case ClassRegister:
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
	failing  bool        // has failures: kept in the failing list
	elem     *list.Element
}

type banEntry struct {
	addr  netip.Addr
	until time.Time
}

// Sources remembers sources for the guard and the authenticator. A
// source is an IPv4 address or an IPv6 prefix (see key). The table is
// bounded: a flood from spoofed addresses must not grow memory without
// limit. Sources are kept in least-recently-seen order and the oldest idle
// one is forgotten when the table is full; sources with failed logins are
// kept in a list of their own and forgotten only when no clean source is
// left, so that a flood of new sources cannot wipe an attacker's failure
// count. Bans live apart, in the order they were made (all last equally
// long, so the oldest ends first), so that a flood of new sources cannot
// push a banned one out of the table before the ban of every other has
// been pushed out too.
type Sources struct {
	mu       sync.Mutex
	max      int
	ipv6Bits int
	sources  map[netip.Addr]*sourceState
	lru      list.List // of *sourceState without failures, most recently seen in front
	failing  list.List // of *sourceState with failures, most recently seen in front
	bans     map[netip.Addr]*list.Element
	banList  list.List // of *banEntry, oldest in front
	evicted  uint64
}

// NewSources makes a table of at most maxSources sources
// (DefaultMaxSources when 0 or less).
func NewSources(maxSources int) *Sources {
	if maxSources <= 0 {
		maxSources = DefaultMaxSources
	}
	return &Sources{
		max:      maxSources,
		ipv6Bits: DefaultIPv6PrefixLength,
		sources:  make(map[netip.Addr]*sourceState),
		bans:     make(map[netip.Addr]*list.Element),
	}
}

// key is the source an address belongs to: an IPv4 address itself, an IPv6
// address its prefix of ipv6Bits (the prefix's first address).
func (t *Sources) key(addr netip.Addr) netip.Addr {
	addr = addr.Unmap()
	if !addr.Is6() || t.ipv6Bits >= 128 {
		return addr
	}
	p, err := addr.WithZone("").Prefix(t.ipv6Bits)
	if err != nil {
		return addr
	}
	return p.Addr()
}

// sourceRange is the range of addresses that share addr's entry: what a
// ban of addr covers.
func (t *Sources) SourceRange(addr netip.Addr) netip.Prefix {
	key := t.key(addr)
	if key.Is4() || t.ipv6Bits >= 128 {
		return netip.PrefixFrom(key, key.BitLen())
	}
	return netip.PrefixFrom(key, t.ipv6Bits)
}

// get returns the state of the source key, creating it (and forgetting the
// oldest idle source if the table is full). The caller holds t.mu.
func (t *Sources) get(key netip.Addr) *sourceState {
	if s, ok := t.sources[key]; ok {
		t.listOf(s).MoveToFront(s.elem)
		return s
	}
	if len(t.sources) >= t.max {
		t.evictOne()
	}
	s := &sourceState{addr: key}
	s.elem = t.lru.PushFront(s)
	t.sources[key] = s
	return s
}

func (t *Sources) listOf(s *sourceState) *list.List {
	if s.failing {
		return &t.failing
	}
	return &t.lru
}

// evictOne forgets the source idle longest, a clean one if there is any.
// The caller holds t.mu.
func (t *Sources) evictOne() {
	from := &t.lru
	if from.Len() == 0 {
		from = &t.failing
	}
	oldest := from.Back()
	s := oldest.Value.(*sourceState)
	from.Remove(oldest)
	delete(t.sources, s.addr)
	t.evicted++
}

// setFailing moves s to the list its failures put it in. The caller holds
// t.mu.
func (t *Sources) setFailing(s *sourceState, failing bool) {
	if s.failing == failing {
		return
	}
	t.listOf(s).Remove(s.elem)
	s.failing = failing
	s.elem = t.listOf(s).PushFront(s)
}

// take spends a token of class for addr.
func (t *Sources) take(addr netip.Addr, class Class, now time.Time, l RateLimit) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.get(t.key(addr)).buckets[class].take(now, l)
}

// shouldLog reports whether a guard log line for addr is due: at most one
// per source per interval, so that a flood cannot flood the logs too.
func (t *Sources) shouldLog(addr netip.Addr, now time.Time, interval time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(t.key(addr))
	if !s.loggedAt.IsZero() && now.Sub(s.loggedAt) < interval {
		return false
	}
	s.loggedAt = now
	return true
}

// fail records a failed authentication of addr at now and returns how many
// failures it has within window.
func (t *Sources) fail(addr netip.Addr, now time.Time, window time.Duration) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(t.key(addr))
	recent := s.failures[:0]
	for _, at := range s.failures {
		if now.Sub(at) < window {
			recent = append(recent, at)
		}
	}
	s.failures = append(recent, now)
	t.setFailing(s, true)
	return len(s.failures)
}

// ban bans addr until the given time and forgets its failures. It reports
// whether the source was not banned already.
func (t *Sources) ban(addr netip.Addr, until time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	addr = t.key(addr)
	if s, ok := t.sources[addr]; ok {
		s.failures = nil
		t.setFailing(s, false)
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
func (t *Sources) banned(addr netip.Addr, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.bans[t.key(addr)]
	if !ok {
		return false
	}
	if now.Before(el.Value.(*banEntry).until) {
		return true
	}
	t.banList.Remove(el)
	delete(t.bans, el.Value.(*banEntry).addr)
	return false
}

// bannedNow lists the sources banned at now, dropping expired bans.
func (t *Sources) bannedNow(now time.Time) []netip.Addr {
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
func (t *Sources) size() (sources, bans int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sources), len(t.bans)
}

// SetIPv6PrefixLength groups IPv6 addresses into one source per prefix of
// bits (at most 128: every address on its own). Call it before use.
func (t *Sources) SetIPv6PrefixLength(bits int) { t.ipv6Bits = min(bits, 128) }
