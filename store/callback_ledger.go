package store

import (
	"context"
	"sync"
	"time"
)

// A pending callback's save and its end both go through the writer, in the
// order they were made, so a replay of the spool ends where the process
// left off: a callback saved and ended during an outage leaves no row. The
// ledger remembers what the writer has not written yet, so that
// PendingCallbacks answers as if it had.

// spooledCallback is a callbacks row as the spool keeps it.
type spooledCallback struct {
	CallbackID    string    `json:"callback_id"`
	CallID        string    `json:"call_id"`
	Queue         string    `json:"queue"`
	Priority      int       `json:"priority,omitempty"`
	Caller        string    `json:"caller,omitempty"`
	Number        string    `json:"number"`
	HotlineNumber string    `json:"hotline_number,omitempty"`
	Language      string    `json:"language,omitempty"`
	Queued        time.Time `json:"queued"`
	GiveUp        time.Time `json:"give_up"`
	Attempts      int       `json:"attempts,omitempty"`
}

func spooledFrom(p PendingCallback) *spooledCallback {
	return &spooledCallback{
		CallbackID: p.CallbackID, CallID: p.CallID, Queue: p.Queue, Priority: p.Priority, Caller: p.Caller,
		Number: p.Number, HotlineNumber: p.HotlineNumber, Language: p.Language,
		Queued: p.Queued, GiveUp: p.GiveUp, Attempts: p.Attempts,
	}
}

// pending is the callback as PendingCallbacks would read its row back.
func (c *spooledCallback) pending() PendingCallback {
	return PendingCallback{
		CallbackID: clip(c.CallbackID, maxIDLen), CallID: clip(c.CallID, maxIDLen), Queue: clip(c.Queue, maxNameLen),
		Priority: c.Priority, Caller: clip(c.Caller, maxNumberLen), Number: clip(c.Number, maxNumberLen),
		HotlineNumber: clip(c.HotlineNumber, maxNumberLen), Language: clip(c.Language, maxLanguageLen),
		Queued: fromMS(ms(c.Queued)), GiveUp: fromMS(ms(c.GiveUp)), Attempts: c.Attempts,
	}
}

// execCallback upserts a pending callback by its id. A save never lowers
// the attempts already written, so replaying an older save is harmless. The
// save of a callback that has ended is not written at all: its end is on
// its way or, had the two been written out of order, already written.
func (s *dbSink) execCallback(ctx context.Context, tx *batchTx, c *spooledCallback) error {
	if s.callbackEnded != nil && s.callbackEnded(c.CallbackID) {
		return nil
	}
	return tx.exec(ctx, s.side.callbackSQL, clip(c.CallbackID, maxIDLen), clip(c.CallID, maxIDLen),
		clip(c.Queue, maxNameLen), c.Priority, clip(c.Caller, maxNumberLen), clip(c.Number, maxNumberLen),
		clip(c.HotlineNumber, maxNumberLen), clip(c.Language, maxLanguageLen), ms(c.Queued), ms(c.GiveUp), c.Attempts)
}

// callbackLedger holds the callback saves and ends handed to the writer
// and not written yet (queued or spooled, also by an earlier run).
type callbackLedger struct {
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

// load notes a record found in the spool at Open.
func (l *callbackLedger) load(r record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case r.Callback != nil:
		l.noteSaveLocked(r.Callback)
	case r.CallbackDone != nil:
		l.noteEndLocked(r.CallbackDone.CallbackID)
	}
}

// save hands a save to put unless the callback has ended: a late save
// must not bring back a callback whose end is on its way.
func (l *callbackLedger) save(p PendingCallback, put func(record) func()) (durable func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.endedLocked(p.CallbackID) {
		return nil
	}
	c := spooledFrom(p)
	l.noteSaveLocked(c)
	// Put under the lock so that the ledger's latest save is the one the
	// writer gets last.
	return put(record{Callback: c})
}

// end hands a callback's end to put.
func (l *callbackLedger) end(id string, put func(record) func()) (durable func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.noteEndLocked(id)
	return put(record{CallbackDone: &callbackDone{CallbackID: id}})
}

func (l *callbackLedger) noteSaveLocked(c *spooledCallback) {
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

func (l *callbackLedger) noteEndLocked(id string) {
	if l.ended == nil {
		l.ended = make(map[string]int)
	}
	l.ended[id]++
}

func (l *callbackLedger) endedLocked(id string) bool {
	_, buried := l.buried[id]
	return l.ended[id] > 0 || buried
}

// hasEnded reports whether a callback has ended and that is not yet
// settled in the database.
func (l *callbackLedger) hasEnded(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.endedLocked(id)
}

// written forgets the saves and ends the writer has just resolved.
func (l *callbackLedger) written(recs []record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range recs {
		switch {
		case r.CallbackDone != nil:
			id := r.CallbackDone.CallbackID
			if l.ended[id]--; l.ended[id] <= 0 {
				delete(l.ended, id)
			}
			if l.saves[id] != nil {
				if l.buried == nil {
					l.buried = make(map[string]struct{})
				}
				l.buried[id] = struct{}{}
			}
		case r.Callback != nil:
			id := r.Callback.CallbackID
			if u := l.saves[id]; u != nil {
				if u.left--; u.left <= 0 {
					delete(l.saves, id)
					delete(l.buried, id)
				}
			}
		}
	}
}

// unwritten returns the latest unwritten save of each callback and the
// callbacks that have ended, as of now.
func (l *callbackLedger) unwritten() (saves map[string]PendingCallback, ended map[string]struct{}) {
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
