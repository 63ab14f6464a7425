package clusternode

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hotline-oss/hotline/cluster"
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// bindingSync mirrors the phones registered through this node into the
// cluster's shared registrations, so that any node can ring them. The
// registrar tells it on each REGISTER; it writes in the background (a
// REGISTER is never held up by NATS), the latest state of each agent
// winning, and writes everything again when NATS comes back.
type bindingSync struct {
	regs  *cluster.Registrations
	sip   func() *sip.Endpoint
	clock func() time.Time // the server's: the registrar's expiries are on it
	log   *slog.Logger

	mu    sync.Mutex
	want  map[string][]registrar.Binding // agent → bindings to write (nil: none left)
	known map[string]map[string]bool     // agent → contacts this node wrote
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

func newBindingSync(regs *cluster.Registrations, ep func() *sip.Endpoint, clock func() time.Time, log *slog.Logger) *bindingSync {
	b := &bindingSync{regs: regs, sip: ep, clock: clock, log: log, want: map[string][]registrar.Binding{}, known: map[string]map[string]bool{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

// set records an agent's bindings on this node now (none: all gone).
func (b *bindingSync) set(agent string, bindings []registrar.Binding) {
	b.mu.Lock()
	b.want[agent] = bindings
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// resync writes every agent's bindings again (NATS came back: the
// leader may have dropped them while this node looked dead).
func (b *bindingSync) resync() {
	b.mu.Lock()
	agents := make([]string, 0, len(b.known))
	for a := range b.known {
		agents = append(agents, a)
	}
	b.mu.Unlock()
	for _, a := range agents {
		if ep := b.sip(); ep != nil {
			b.set(a, ep.Bindings(a))
		}
	}
}

func (b *bindingSync) loop() {
	defer close(b.done)
	retry := time.NewTicker(2 * time.Second)
	defer retry.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-b.kick:
		case <-retry.C:
		}
		b.mu.Lock()
		work := b.want
		b.want = map[string][]registrar.Binding{}
		b.mu.Unlock()
		for agent, bindings := range work {
			if err := b.write(agent, bindings); err != nil {
				b.log.Info("cluster: registration not shared yet", "agent", agent, "err", err)
				b.mu.Lock()
				if _, newer := b.want[agent]; !newer {
					b.want[agent] = bindings // again at the next retry
				}
				b.mu.Unlock()
			}
		}
	}
}

// write puts the agent's current bindings and removes the ones this node
// wrote before that are gone.
func (b *bindingSync) write(agent string, bindings []registrar.Binding) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := b.clock()
	current := map[string]bool{}
	for _, bd := range bindings {
		contact := bd.Contact.String()
		current[contact] = true
		// The registrar's expiry is on the server's clock; the shared one
		// is read against the wall clock of every node.
		g := cluster.Registration{Agent: agent, Contact: contact, Source: bd.Source, Transport: bd.Transport,
			Expires: time.Now().Add(bd.Expires.Sub(now))}
		if err := b.regs.PutBinding(ctx, g); err != nil {
			return err
		}
	}
	b.mu.Lock()
	old := b.known[agent]
	b.mu.Unlock()
	for contact := range old {
		if !current[contact] {
			if err := b.regs.Remove(ctx, agent, contact); err != nil {
				return err
			}
		}
	}
	b.mu.Lock()
	if len(current) == 0 {
		delete(b.known, agent)
	} else {
		b.known[agent] = current
	}
	b.mu.Unlock()
	return nil
}

func (b *bindingSync) close() {
	close(b.stop)
	<-b.done
}
