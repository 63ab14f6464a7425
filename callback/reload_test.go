package callback

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/config"
)

// demoConfig is the demo with callbacks enabled wherever it configures
// them (the demo ships them off).
func demoConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse(config.DemoName, config.Demo())
	if err != nil {
		t.Fatal(err)
	}
	enabled := 0
	for name, q := range cfg.Queues {
		if q.Callback != nil {
			cb := *q.Callback
			cb.Enabled = true
			q.Callback = &cb
			cfg.Queues[name] = q
			enabled++
		}
	}
	if enabled == 0 {
		t.Fatal("the demo configures no callback")
	}
	return cfg
}

// Only the queues that enable callbacks offer them, with defaults applied.
func TestEnabledQueues(t *testing.T) {
	cfg := demoConfig(t)
	queues := EnabledQueues(cfg)
	if len(queues) == 0 {
		t.Fatal("no queue offers callbacks")
	}
	for name, q := range cfg.Queues {
		_, offered := queues[name]
		want := q.Callback != nil && q.Callback.Enabled
		if offered != want {
			t.Errorf("queue %s offered %v, want %v", name, offered, want)
		}
	}
	for name, q := range queues {
		if q.Digit == "" || q.MaxAttempts == 0 || q.AllowOtherNumber == nil {
			t.Errorf("queue %s: defaults not applied: %+v", name, q)
		}
	}
}

// Virtual hold that was off at start cannot be turned on by a reload: the
// gateway, its prompts and metrics start with the server. The reload says
// so for each queue.
func TestReloadWithoutServiceNeedsRestart(t *testing.T) {
	cfg := demoConfig(t)
	var svc *Service
	out := svc.Reload(cfg)
	if len(out) != len(EnabledQueues(cfg)) {
		t.Fatalf("reload said %v, want one line per queue offering callbacks", out)
	}
	for _, line := range out {
		if !strings.Contains(line, "restart to apply") {
			t.Errorf("%q does not say a restart is needed", line)
		}
	}
	if _, ok := svc.Settings("general"); ok {
		t.Error("a missing service has settings")
	}
	var o *Offer
	if o.Refs("general", 1e12) != nil || o.Digit("general", '1') != NotMine {
		t.Error("a nil offer offered something")
	}
}
