package tickets

import (
	"context"
	"fmt"

	"github.com/hotline-oss/hotline/store"
)

// Refresh reloads the tickets being followed from the store, for a
// process that shares them with others (Deps.Shared): tickets opened or
// changed elsewhere join the ones this process follows, with their
// history, and tickets finished elsewhere leave.
//
// A ticket this process changed more recently than the stored row (its
// write may still wait in the store's queue) keeps this process's copy;
// one it follows that is no longer active in the store is dropped only
// once its own last change is older than a sweep, for the same reason.
func (svc *Service) Refresh(ctx context.Context) error {
	stored, err := svc.deps.Store.ActiveTickets(ctx)
	if err != nil {
		return fmt.Errorf("tickets: refresh: %w", err)
	}
	ids := make([]string, len(stored))
	for i, t := range stored {
		ids[i] = t.ID
	}
	histories, err := svc.deps.Store.TicketHistories(ctx, ids)
	if err != nil {
		return fmt.Errorf("tickets: refresh histories: %w", err)
	}
	now := svc.deps.Clock.Now()
	seen := make(map[string]bool, len(stored))
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for _, t := range stored {
		seen[t.ID] = true
		if mine := svc.memoryLocked(t.ID); mine != nil && mine.t.Version >= t.Version {
			continue
		}
		svc.rememberLocked(&entry{t: t, history: histories[t.ID]})
	}
	for id, e := range svc.active {
		if seen[id] || now.Sub(e.t.Updated) < SweepEvery {
			continue
		}
		svc.forgetLocked(e.t)
	}
	return nil
}

// forgetLocked stops following a ticket another process finished.
func (svc *Service) forgetLocked(t store.Ticket) {
	delete(svc.active, t.ID)
	if ids := svc.byCaller[t.Caller]; ids != nil {
		delete(ids, t.ID)
		if len(ids) == 0 {
			delete(svc.byCaller, t.Caller)
		}
	}
}
