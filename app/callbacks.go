package app

import (
	"github.com/hotline-oss/hotline/callback"
)

// startCallbacks sets up virtual hold (package callback) when a queue
// enables it. It runs before SIP starts: saved callbacks go back in their
// queues ahead of any new caller (on a cluster node, right after it
// joins the routing: see Start).
func (s *Server) startCallbacks() error {
	if s.acd == nil {
		return nil
	}
	deps := callback.Deps{
		Queueing:  s.acd,
		SIP:       s.sip,
		Prompts:   s.prompts,
		Registry:  s.metrics.Registry(),
		Subscribe: s.bus.Subscribe,
		Publish:   s.bus.Publish,
		Clock:     s.clock,
		Log:       s.log,
		Routes:    s.callbackRoutes(), // trunks.go
		// A cluster node's queueing applies commands only once the node
		// follows the stream: Start restores after cluster.run.
		RestoreLater: s.cluster != nil,
	}
	if s.store != nil {
		deps.Store = s.store
	}
	svc, err := callback.New(s.cfg, deps)
	if err != nil {
		return err
	}
	s.callbacks = svc
	return nil
}
