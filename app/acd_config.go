package app

import (
	"sort"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/metrics"
)

// queueSettings are the per-queue settings the runtime needs beyond what
// the ACD itself uses.
type queueSettings struct {
	music         string
	exitDigit     rune
	exitTarget    string
	announceAgent bool
}

// acdConfig maps the YAML agents and queues onto the ACD's configuration;
// keys left out keep the ACD's documented defaults.
func acdConfig(cfg *config.Config) (acd.Config, map[string]queueSettings) {
	var out acd.Config
	settings := make(map[string]queueSettings, len(cfg.Queues))
	names := make([]string, 0, len(cfg.Queues))
	for name := range cfg.Queues {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		q := cfg.Queues[name]
		qc := acd.DefaultQueue(name)
		if q.Strategy != "" {
			qc.Strategy = q.Strategy
		}
		qc.RequiredSkills = q.RequiredSkills
		qc.MaxWaiting = q.MaxWaiting
		qc.MaxWait = q.MaxWait
		qc.OverflowTarget = q.Overflow
		if q.JoinEmpty != "" {
			qc.JoinEmpty = q.JoinEmpty
		}
		qc.LeaveWhenEmpty = q.LeaveWhenEmpty
		setDuration(&qc.RingTimeout, q.RingTimeout)
		setDuration(&qc.WrapUp, q.WrapUp)
		setDuration(&qc.BusyBackoff, q.BusyBackoff)
		setDuration(&qc.AnnounceEvery, q.AnnounceEvery)
		if q.AutoPauseAfter != nil {
			qc.AutoPauseAfter = *q.AutoPauseAfter
		}
		if q.ServiceLevelSeconds != nil {
			qc.ServiceLevel = time.Duration(*q.ServiceLevelSeconds) * time.Second
		}
		qs := queueSettings{music: q.Music, exitTarget: q.ExitTarget, announceAgent: true}
		if qs.music == "" {
			qs.music = "hold"
		}
		if q.AnnounceAgent != nil {
			qs.announceAgent = *q.AnnounceAgent
		}
		qc.AnnounceAgent = qs.announceAgent
		if q.ExitDigit != "" {
			qs.exitDigit = rune(q.ExitDigit[0])
		}
		settings[name] = qs
		out.Queues = append(out.Queues, qc)
	}
	for _, a := range cfg.Agents {
		// Each agent also has a personal queue: a blind transfer to the
		// agent waits there, with music, until that agent is free.
		personal := personalQueue(a.ID)
		qc := acd.DefaultQueue(personal)
		qc.AnnounceEvery = 0
		qc.JoinEmpty = acd.JoinEmptyReject
		qc.LeaveWhenEmpty = true
		qc.AnnounceAgent = true
		out.Queues = append(out.Queues, qc)
		settings[personal] = queueSettings{music: "hold", announceAgent: true}
		out.Agents = append(out.Agents, acd.AgentConfig{
			ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, Skills: a.Skills,
			Queues: append(append([]string(nil), a.Queues...), personal),
		})
	}
	return out, settings
}

// personalQueuePrefix names the agents' personal queues; they stay out of
// the wallboard and the per-queue gauges.
const personalQueuePrefix = "agent:"

func personalQueue(agent string) string { return personalQueuePrefix + agent }

func isPersonalQueue(name string) bool { return strings.HasPrefix(name, personalQueuePrefix) }

func setDuration(dst *time.Duration, v *time.Duration) {
	if v != nil {
		*dst = *v
	}
}

// queueThresholds are the KPI thresholds per queue (docs/kpis.md defaults:
// service level 20 s, short abandon 5 s).
func queueThresholds(cfg *config.Config) map[string]metrics.QueueThresholds {
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
