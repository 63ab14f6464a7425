package cluster

import (
	"context"
	"fmt"
	"sync"

	"github.com/hotline-oss/hotline/cluster/routing"
)

// Rebuild brings a router up to date with the command stream: it applies
// every stored command after r.Applied(), up to the stream's last
// sequence when it is called, and returns that sequence. No decision is
// carried out (the nodes of the time carried theirs out); a command the
// ACD refuses is skipped as every router skipped it. It measures what a
// node starting cold spends replaying. The stream keeps 24 hours, so a
// router rebuilt from an empty state must start within that.
func (c *Conn) Rebuild(ctx context.Context, r *routing.Router) (uint64, error) {
	st, err := c.JS.Stream(ctx, c.Names.CommandStream())
	if err != nil {
		return 0, fmt.Errorf("cluster: rebuild: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("cluster: rebuild: %w", err)
	}
	last := info.State.LastSeq
	if last <= r.Applied() {
		return last, nil
	}
	var (
		mu       sync.Mutex
		finished bool
		done     = make(chan struct{})
	)
	stop, err := c.consume(ctx, r.Applied()+1, func(seq uint64, cmd routing.Command, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if finished || seq > last {
			return
		}
		if ok && cmd.Kind == routing.CmdReload {
			// The router finds the reload's configuration here; without
			// it the router refuses the reload and keeps its own.
			_ = c.fetchWithRetries(cmd.Hash)
			r.SetConfigs(c.ConfigLookup())
		}
		if ok {
			_, _ = r.Apply(seq, cmd)
		} else {
			r.Skip(seq)
		}
		if seq >= last {
			finished = true
			close(done)
		}
	})
	if err != nil {
		return 0, err
	}
	defer stop()
	select {
	case <-done:
		return last, nil
	case <-ctx.Done():
		mu.Lock()
		finished = true
		mu.Unlock()
		return 0, fmt.Errorf("cluster: rebuild stopped at %d of %d: %w", r.Applied(), last, ctx.Err())
	}
}
