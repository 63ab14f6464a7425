package app

import (
	"fmt"

	"github.com/hotline-oss/hotline/config"
)

// callbackQueues maps each queue that offers callbacks to its settings,
// defaults applied.
func callbackQueues(cfg *config.Config) map[string]config.QueueCallback {
	queues := make(map[string]config.QueueCallback)
	for name, q := range cfg.Queues {
		if q.Callback != nil && q.Callback.Enabled {
			queues[name] = q.Callback.WithDefaults()
		}
	}
	return queues
}

// reloadCallbacks applies the queues' callback settings: offers made from
// now on follow them (a caller already waiting in a queue that turns
// callbacks on may be offered one at the next announcement). A pending
// callback keeps the retry policy it was requested with. Virtual hold that
// was off at start needs a restart: the gateway, its prompts and metrics
// start with the server. It returns what it could not apply.
func (s *Server) reloadCallbacks(cfg *config.Config) []string {
	queues := callbackQueues(cfg)
	if s.callbacks == nil {
		var out []string
		for _, name := range sortedKeys(queues) {
			out = append(out, fmt.Sprintf("queues.%s.callback: enabled, but no queue offered callbacks at start; restart to apply", name))
		}
		return out
	}
	s.callbacks.queues.Store(&queues)
	return nil
}
