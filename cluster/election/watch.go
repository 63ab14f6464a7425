package election

import (
	"context"
	"encoding/json"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// notify reports the current leadership if it differs from the last one
// reported.
func (e *Elector) notify(reason string) {
	e.notifyMu.Lock()
	defer e.notifyMu.Unlock()
	term, ok := e.Leading()
	l := Leadership{Leading: ok, Term: term}
	if l == (Leadership{Leading: e.notified.Leading, Term: e.notified.Term}) {
		return
	}
	l.Reason = reason
	e.notified = l
	if e.onChange != nil {
		e.onChange(l)
	}
}

// parse reads a lease entry; a value that does not parse is counted and
// ignored.
func (e *Elector) parse(entry jetstream.KeyValueEntry) (leaseValue, bool) {
	var v leaseValue
	if err := json.Unmarshal(entry.Value(), &v); err != nil || !routing.ValidToken(v.Node) {
		e.link.CountBadLease()
		e.log.Warn("cluster: dropped a lease value that does not parse", "revision", entry.Revision())
		return v, false
	}
	if v.Term == 0 {
		v.Term = entry.Revision()
	}
	return v, true
}

// watch follows the lease: every term seen raises the fence, and a
// deletion wakes the election at once.
func (e *Elector) watch(ctx context.Context) {
	for ctx.Err() == nil {
		w, err := e.kv.Watch(ctx, leaseKey)
		if err != nil {
			e.wait(ctx, e.retry)
			continue
		}
		for entry := range w.Updates() {
			if entry == nil {
				continue
			}
			if entry.Operation() != jetstream.KeyValuePut {
				e.poke()
				continue
			}
			if v, ok := e.parse(entry); ok {
				e.fence.Observe(v.Term)
			}
		}
		_ = w.Stop()
	}
}
