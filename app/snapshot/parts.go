package snapshot

import (
	"maps"
	"slices"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/workforce"
)

// What the metrics, the records and workforce take from a configuration,
// at start and on every reload.

// QueueThresholds are the KPI thresholds per queue (docs/kpis.md defaults:
// service level 20 s, short abandon 5 s).
func QueueThresholds(cfg *config.Config) map[string]metrics.QueueThresholds {
	out := make(map[string]metrics.QueueThresholds, len(cfg.Queues))
	for name, q := range cfg.Queues {
		t := metrics.QueueThresholds{ServiceLevel: 20 * time.Second, ShortAbandon: 5 * time.Second}
		if q.ServiceLevelSeconds != nil {
			t.ServiceLevel = time.Duration(*q.ServiceLevelSeconds) * time.Second
		}
		if q.ShortAbandonSeconds != nil {
			t.ShortAbandon = time.Duration(*q.ShortAbandonSeconds) * time.Second
		}
		out[name] = t
	}
	return out
}

// StoreThresholds are QueueThresholds as the records' reports take them.
func StoreThresholds(cfg *config.Config) map[string]store.QueueThresholds {
	out := map[string]store.QueueThresholds{}
	for name, t := range QueueThresholds(cfg) {
		out[name] = store.QueueThresholds{ServiceLevel: t.ServiceLevel, ShortAbandon: t.ShortAbandon}
	}
	return out
}

// QueueLabelValues are the ACD's transfer kinds and disposition categories,
// which every configured queue's series are created with.
var QueueLabelValues = metrics.LabelValues{
	TransferKinds: []string{string(acd.TransferBlind), string(acd.TransferAttended)},
	Categories:    acd.Categories,
}

// QueueInfos lists the configured queues (not the agents' personal ones)
// with what their series and wallboard cards need before the first call.
func QueueInfos(cfg *config.Config) []metrics.QueueInfo {
	out := make([]metrics.QueueInfo, 0, len(cfg.Queues))
	for _, name := range slices.Sorted(maps.Keys(cfg.Queues)) {
		info := metrics.QueueInfo{Name: name, DisplayName: cfg.QueueDisplayName(name)}
		if target := cfg.Queues[name].Overflow; target != "" {
			info.OverflowTargets = []string{target}
		}
		out = append(out, info)
	}
	return out
}

// AgentQueues maps each agent to the queues it serves, for occupancy.
func AgentQueues(cfg *config.Config) map[string][]string {
	out := make(map[string][]string, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out[a.ID] = a.Queues
	}
	return out
}

// ServiceLevelTargets is each queue's configured service_level_target;
// queues without one use the metrics' default.
func ServiceLevelTargets(cfg *config.Config) map[string]float64 {
	targets := map[string]float64{}
	for name, q := range cfg.Queues {
		if q.ServiceLevelTarget != nil {
			targets[name] = *q.ServiceLevelTarget
		}
	}
	return targets
}

// WorkforceRules are the workforce section's rules with their defaults,
// and each queue's thresholds for the monthly report.
func WorkforceRules(cfg *config.Config) workforce.Rules {
	w := cfg.WorkforceRules()
	return workforce.Rules{
		Activities: w.Activities, LateLoginAfter: w.LateLoginAfter, EarlyLogoutBefore: w.EarlyLogoutBefore,
		AlertAfter: *w.AlertAfter, Target: w.AdherenceTarget, Location: cfg.ReportLocation(), Queues: StoreThresholds(cfg),
	}
}

// WorkforceAgents are the configured agents as workforce schedules them.
func WorkforceAgents(cfg *config.Config) []workforce.Agent {
	out := make([]workforce.Agent, 0, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out = append(out, workforce.Agent{ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, Queues: a.Queues})
	}
	return out
}
