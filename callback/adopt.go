package callback

import (
	"context"
)

// Adopt takes over pending callbacks that another node of a cluster held
// when it died (the cluster's leader calls it with the ids the ACD held
// for that node). Those still saved are put back in their queues from
// this node, as a restart restores them, and dialled from here. It works
// in the background and never blocks.
//
// A callback is dialled once whoever restores it: the ACD refuses a
// second one with the same id (the dead node came back and restored it
// first, or a leader taking over adopts it again), and a refused restore
// leaves it, and its saved row, to the node that holds it.
func (svc *Service) Adopt(ids []string) {
	if !svc.persisted() || len(ids) == 0 {
		return
	}
	svc.mu.Lock()
	if svc.closed {
		svc.mu.Unlock()
		return
	}
	svc.wg.Add(1)
	svc.mu.Unlock()
	go func() {
		defer svc.wg.Done()
		svc.adopt(ids)
	}()
}

func (svc *Service) adopt(ids []string) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), callbackStoreTimeout)
	defer cancel()
	saved, err := svc.deps.Store.PendingCallbacks(ctx)
	if err != nil {
		svc.log.Warn("callbacks of a node gone not taken over: they wait for a node to restart", "callbacks", len(ids), "err", err)
		return
	}
	for _, p := range saved { // in the order their callers first queued
		if !want[p.CallbackID] || svc.holds(p.CallbackID) {
			continue
		}
		svc.log.Info("taking over a callback of a node gone", "callback", p.CallbackID, "queue", p.Queue)
		if !svc.restoreOne(p) {
			return
		}
	}
}

// holds reports whether this node runs the callback already.
func (svc *Service) holds(id string) bool {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	_, ok := svc.jobs[id]
	return ok
}
