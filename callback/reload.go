package callback

import (
	"fmt"
	"sort"

	"github.com/hotline-oss/hotline/config"
)

// EnabledQueues maps each queue of cfg that offers callbacks to its
// settings, defaults applied.
func EnabledQueues(cfg *config.Config) map[string]config.QueueCallback {
	queues := make(map[string]config.QueueCallback)
	for name, q := range cfg.Queues {
		if q.Callback != nil && q.Callback.Enabled {
			queues[name] = q.Callback.WithDefaults()
		}
	}
	return queues
}

// Reload applies the queues' callback settings: offers made from now on
// follow them (a caller already waiting in a queue that turns callbacks
// on may be offered one at the next announcement). A pending callback
// keeps the retry policy it was requested with. Virtual hold that was off
// at start (svc nil) needs a restart: the gateway, its prompts and metrics
// start with the server. It returns what it could not apply.
func (svc *Service) Reload(cfg *config.Config) []string {
	queues := EnabledQueues(cfg)
	if svc == nil {
		names := make([]string, 0, len(queues))
		for name := range queues {
			names = append(names, name)
		}
		sort.Strings(names)
		var out []string
		for _, name := range names {
			out = append(out, fmt.Sprintf("queues.%s.callback: enabled, but no queue offered callbacks at start; restart to apply", name))
		}
		return out
	}
	svc.queues.Store(&queues)
	return nil
}
