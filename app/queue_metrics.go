package app

import (
	"github.com/hotline-oss/hotline/app/snapshot"
	"github.com/hotline-oss/hotline/config"
)

// applyQueueMetrics tells the metrics about the configured queues, at start
// and on every reload: thresholds, display names, every series known in
// advance, and the rolling windows' queues and agents.
func (s *Server) applyQueueMetrics(cfg *config.Config) {
	thresholds := snapshot.QueueThresholds(cfg)
	s.metrics.SetQueueThresholds(thresholds)
	s.metrics.InitQueues(snapshot.QueueInfos(cfg), snapshot.QueueLabelValues)
	s.metrics.SetWindowQueues(thresholds, snapshot.AgentQueues(cfg))
}
