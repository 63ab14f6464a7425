package app

import (
	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
)

// queueLabelValues are the ACD's transfer kinds and disposition categories,
// which every configured queue's series are created with.
var queueLabelValues = metrics.LabelValues{
	TransferKinds: []string{string(acd.TransferBlind), string(acd.TransferAttended)},
	Categories:    acd.Categories,
}

// applyQueueMetrics tells the metrics about the configured queues, at start
// and on every reload: thresholds, display names, every series known in
// advance, and the rolling windows' queues and agents.
func (s *Server) applyQueueMetrics(cfg *config.Config) {
	thresholds := queueThresholds(cfg)
	s.metrics.SetQueueThresholds(thresholds)
	s.metrics.InitQueues(queueInfos(cfg), queueLabelValues)
	s.metrics.SetWindowQueues(thresholds, agentQueues(cfg))
}

// queueInfos lists the configured queues (not the agents' personal ones)
// with what their series and wallboard cards need before the first call.
func queueInfos(cfg *config.Config) []metrics.QueueInfo {
	out := make([]metrics.QueueInfo, 0, len(cfg.Queues))
	for _, name := range sortedKeys(cfg.Queues) {
		info := metrics.QueueInfo{Name: name, DisplayName: cfg.QueueDisplayName(name)}
		if target := cfg.Queues[name].Overflow; target != "" {
			info.OverflowTargets = []string{target}
		}
		out = append(out, info)
	}
	return out
}

// agentQueues maps each agent to the queues it serves, for occupancy.
func agentQueues(cfg *config.Config) map[string][]string {
	out := make(map[string][]string, len(cfg.Agents))
	for _, a := range cfg.Agents {
		out[a.ID] = a.Queues
	}
	return out
}
