package dialpolicy

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// The windows the caps count in: rolling, so no time zone or midnight
// decides when a number may be called again.
const (
	NumberWindow = 24 * time.Hour
	HourWindow   = time.Hour
)

// Caps bound how many callbacks are accepted: PerNumber to one number in
// any 24 hours, PerHour in all in any hour.
type Caps struct {
	PerNumber int
	PerHour   int
}

// Ledger remembers the callbacks accepted in the last 24 hours, by
// callback id, and enforces the caps on them. It reads no clock.
type Ledger struct {
	mu      sync.Mutex
	entries []entry // oldest first
}

type entry struct {
	id, number string
	at         time.Time
}

// Admit accepts callback id to number at now, or refuses it with a
// NumberCap or HourlyCap Refusal. Admitting an id again changes nothing.
func (l *Ledger) Admit(now time.Time, id, number string, caps Caps) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	if l.index(id) >= 0 {
		return nil
	}
	return l.admit(now, id, number, caps)
}

func (l *Ledger) admit(now time.Time, id, number string, caps Caps) error {
	perNumber, inHour := 0, 0
	for _, e := range l.entries {
		if e.number == number {
			perNumber++
		}
		if now.Sub(e.at) < HourWindow {
			inHour++
		}
	}
	if perNumber >= caps.PerNumber {
		return refuse(NumberCap, fmt.Sprintf("%d in 24h", perNumber))
	}
	if inHour >= caps.PerHour {
		return refuse(HourlyCap, fmt.Sprintf("%d in the last hour", inHour))
	}
	l.insert(entry{id: id, number: number, at: now})
	return nil
}

// Recheck is the check just before a dial: callback id must still be
// within the caps, counting only the callbacks accepted before it (a cap
// lowered since, or callbacks restored after a restart, refuse the later
// ones). An id the ledger does not know is admitted now or refused.
func (l *Ledger) Recheck(now time.Time, id, number string, caps Caps) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	i := l.index(id)
	if i < 0 {
		return l.admit(now, id, number, caps)
	}
	own := l.entries[i]
	perNumber, inHour := 0, 0
	for _, e := range l.entries[:i+1] {
		if e.number == own.number {
			perNumber++
		}
		if own.at.Sub(e.at) < HourWindow {
			inHour++
		}
	}
	if perNumber > caps.PerNumber {
		return refuse(NumberCap, fmt.Sprintf("%d in 24h up to this one", perNumber))
	}
	if inHour > caps.PerHour {
		return refuse(HourlyCap, fmt.Sprintf("%d in the hour up to this one", inHour))
	}
	return nil
}

// Seed records a callback accepted at at, before a restart: it counts
// against the caps but is never refused here.
func (l *Ledger) Seed(at time.Time, id, number string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.index(id) >= 0 {
		return
	}
	l.insert(entry{id: id, number: number, at: at})
}

// Forget takes back a callback that was admitted but not requested after
// all (the caller was answered meanwhile).
func (l *Ledger) Forget(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := l.index(id); i >= 0 {
		l.entries = append(l.entries[:i], l.entries[i+1:]...)
	}
}

// Count reports the callbacks to number accepted in the 24 hours up to now.
func (l *Ledger) Count(now time.Time, number string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	n := 0
	for _, e := range l.entries {
		if e.number == number {
			n++
		}
	}
	return n
}

// prune drops what is older than the 24-hour window.
func (l *Ledger) prune(now time.Time) {
	cut := 0
	for cut < len(l.entries) && now.Sub(l.entries[cut].at) >= NumberWindow {
		cut++
	}
	if cut > 0 {
		l.entries = append(l.entries[:0], l.entries[cut:]...)
	}
}

func (l *Ledger) index(id string) int {
	for i, e := range l.entries {
		if e.id == id {
			return i
		}
	}
	return -1
}

// insert keeps entries in time order, an equal time after those before.
func (l *Ledger) insert(e entry) {
	i := sort.Search(len(l.entries), func(i int) bool { return l.entries[i].at.After(e.at) })
	l.entries = append(l.entries, entry{})
	copy(l.entries[i+1:], l.entries[i:])
	l.entries[i] = e
}
