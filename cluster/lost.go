package cluster

import (
	"time"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// LostFunc is handed the calls and callbacks of dead nodes (see
// routing.LostCall) by the leader, with the term it leads under. It
// writes their records and takes their callbacks over; it runs on the
// leader's own goroutine, outside the Leader's lock, and must not block
// for long. Whatever it does must be harmless done twice: a leader
// taking over hands over again the recent ones, which a dead leader may
// or may not have handled.
type LostFunc func(term uint64, lost []routing.LostCall)

// lostHandOver is where the leader is in handing over lost calls (under
// the Leader's lock).
type lostHandOver struct {
	fn   LostFunc
	term uint64 // the term of the last hand-over
	done uint64 // stream sequence handed over up to, in that term
}

// lostHorizon is how old a node_gone may be and still be handed over by
// a leader that takes over: its predecessor handled everything older
// (it hands over at each sweep, every lease TTL). A floor keeps short
// test TTLs from cutting it too fine for clocks that differ a little.
func (l *Leader) lostHorizon() time.Duration {
	return max(10*l.conn.settings.LeaseTTL, time.Minute)
}

// OnLost sets the LostFunc; call it before Run. Only the leader calls it,
// each node_gone once per term, and only once its router has caught up
// with the stream.
func (l *Leader) OnLost(f LostFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lost.fn = f
}

// handOverLost gives the LostFunc the calls of dead nodes this leader
// has not handed over in its term yet. At a new term it starts again from
// what is recent: the previous leader may have died before handing them
// over.
func (l *Leader) handOverLost() {
	term, ok := l.el.Leading()
	if !ok {
		return
	}
	l.mu.Lock()
	fn := l.lost.fn
	caughtUp := l.following && l.router.Applied() >= l.startSeq
	if fn == nil || !caughtUp {
		l.mu.Unlock()
		return
	}
	after := l.lost.done
	if l.lost.term != term {
		after = 0
	}
	batch := l.router.Lost(after)
	l.lost.term, l.lost.done = term, max(after, l.router.Applied())
	l.mu.Unlock()
	horizon := time.Now().Add(-l.lostHorizon())
	recent := batch[:0]
	for _, c := range batch {
		if c.At.After(horizon) {
			recent = append(recent, c)
		}
	}
	if len(recent) > 0 {
		fn(term, recent)
	}
}
