package natstest

import (
	"context"
	"sync"
	"testing"

	"github.com/hotline-oss/hotline/cluster/election"
)

// Elector is one node's election, running until the test ends, with
// every change of leadership it reported.
type Elector struct {
	El     *election.Elector
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	changes []election.Leadership
}

// StartElector runs an election on link until Stop or the test's end.
func StartElector(t testing.TB, link election.Link) *Elector {
	t.Helper()
	n := &Elector{done: make(chan struct{})}
	el, err := election.New(context.Background(), link, election.WithOnChange(func(l election.Leadership) {
		n.mu.Lock()
		n.changes = append(n.changes, l)
		n.mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	n.El = el
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() { defer close(n.done); _ = el.Run(ctx) }()
	t.Cleanup(n.Stop)
	return n
}

// Stop ends the election (the lease is given up) and waits for it.
func (n *Elector) Stop() {
	n.cancel()
	<-n.done
}

// Leading reports whether the node leads now.
func (n *Elector) Leading() bool { _, ok := n.El.Leading(); return ok }

// Changes are the changes of leadership reported so far, in order.
func (n *Elector) Changes() []election.Leadership {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]election.Leadership(nil), n.changes...)
}
