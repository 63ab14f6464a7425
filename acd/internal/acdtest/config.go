package acdtest

import (
	"time"

	"github.com/hotline-oss/hotline/acd/acdconfig"
)

// ValidConfig returns a fresh configuration that passes validation: queue
// billing overflows to complaints after five minutes and announces its
// agents, and agent 1001 (work number 1024, billing skill 7) serves both.
// Tests break one thing in it to check one complaint.
func ValidConfig() acdconfig.Config {
	billing := acdconfig.DefaultQueue("billing")
	billing.MaxWait = 5 * time.Minute
	billing.OverflowTarget = "queue:complaints"
	billing.AnnounceAgent = true
	return acdconfig.Config{
		Queues: []acdconfig.QueueConfig{billing, acdconfig.DefaultQueue("complaints")},
		Agents: []acdconfig.AgentConfig{
			{ID: "1001", WorkNumber: "1024", Skills: map[string]int{"billing": 7}, Queues: []string{"billing", "complaints"}},
		},
	}
}
