package callbacksql

import (
	"iter"
	"sync"
)

// A pending callback's save and its end both go through the writer, in the
// order they were made, so a replay of the spool ends where the process
// left off: a callback saved and ended during an outage leaves no row. The
// ledger remembers what the writer has not written yet, so that
// PendingCallbacks answers as if it had.

// ledger holds the callback saves and ends handed to the writer
// and not written yet (queued or spooled, also by an earlier run).
type ledger struct {
	mu sync.Mutex
	// saves are the latest unwritten save of each callback and how many of
	// its saves are still to be written.
	saves map[string]*unwrittenSave
	// ended counts each callback's unwritten ends. An ended callback is
	// left out of PendingCallbacks, and its saves are not written, even
	// while a save or a row of its is still there.
	ended map[string]int
	// buried are callbacks whose end was written before one of their saves
	// (the writer keeps the order, unless the spool disk failed and a
	// record had to wait in memory): they stay ended until that save has
	// been passed over.
	buried map[string]struct{}
}

type unwrittenSave struct {
	latest PendingCallback
	left   int
}

// NoteSpooled notes a save or an end (one of them non-nil) found in the
// spool when the store opens.
func (tb *Table) NoteSpooled(save *Spooled, end *Done) {
	l := &tb.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case save != nil:
		l.noteSaveLocked(save)
	case end != nil:
		l.noteEndLocked(end.CallbackID)
	}
}

// save hands a save to put unless the callback has ended: a late save
// must not bring back a callback whose end is on its way.
func (l *ledger) save(p PendingCallback, put func(*Spooled) func()) (durable func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.endedLocked(p.CallbackID) {
		return nil
	}
	c := spooledFrom(p)
	l.noteSaveLocked(c)
	// Put under the lock so that the ledger's latest save is the one the
	// writer gets last.
	return put(c)
}

// end hands a callback's end to put.
func (l *ledger) end(id string, put func(*Done) func()) (durable func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.noteEndLocked(id)
	return put(&Done{CallbackID: id})
}

func (l *ledger) noteSaveLocked(c *Spooled) {
	if l.saves == nil {
		l.saves = make(map[string]*unwrittenSave)
	}
	u := l.saves[c.CallbackID]
	if u == nil {
		u = &unwrittenSave{}
		l.saves[c.CallbackID] = u
	}
	u.latest = c.pending()
	u.left++
}

func (l *ledger) noteEndLocked(id string) {
	if l.ended == nil {
		l.ended = make(map[string]int)
	}
	l.ended[id]++
}

func (l *ledger) endedLocked(id string) bool {
	_, buried := l.buried[id]
	return l.ended[id] > 0 || buried
}

// Ended reports whether a callback has ended and that is not yet settled
// in the database.
func (tb *Table) Ended(id string) bool {
	l := &tb.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.endedLocked(id)
}

// Written forgets the saves and ends the writer has just resolved: recs
// yields each written record's save or end (nil for other records).
func (tb *Table) Written(recs iter.Seq2[*Spooled, *Done]) {
	l := &tb.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	for save, end := range recs {
		switch {
		case end != nil:
			id := end.CallbackID
			if l.ended[id]--; l.ended[id] <= 0 {
				delete(l.ended, id)
			}
			if l.saves[id] != nil {
				if l.buried == nil {
					l.buried = make(map[string]struct{})
				}
				l.buried[id] = struct{}{}
			}
		case save != nil:
			id := save.CallbackID
			if u := l.saves[id]; u != nil {
				if u.left--; u.left <= 0 {
					delete(l.saves, id)
					delete(l.buried, id)
				}
			}
		}
	}
}

// Unwritten returns the latest unwritten save of each callback and the
// callbacks that have ended, as of now.
func (tb *Table) Unwritten() (saves map[string]PendingCallback, ended map[string]struct{}) {
	return tb.ledger.unwritten()
}

// unwritten returns the latest unwritten save of each callback and the
// callbacks that have ended, as of now.
func (l *ledger) unwritten() (saves map[string]PendingCallback, ended map[string]struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	saves = make(map[string]PendingCallback, len(l.saves))
	for id, u := range l.saves {
		saves[id] = u.latest
	}
	ended = make(map[string]struct{}, len(l.ended)+len(l.buried))
	for id := range l.ended {
		ended[id] = struct{}{}
	}
	for id := range l.buried {
		ended[id] = struct{}{}
	}
	return saves, ended
}
