package queueing

import (
	"sort"
	"strings"
	"time"

	"github.com/hotline-oss/hotline/acd"
	"github.com/hotline-oss/hotline/config"
)

// Settings are a queue's settings that the call path needs beyond what
// the ACD itself uses.
type Settings struct {
	Music         string // hold music prompt name
	ExitDigit     rune   // 0: none
	ExitTarget    string // the IVR node the exit digit goes to
	AnnounceAgent bool   // the agent's work number is read to the caller
}

// FromConfig maps the YAML agents and queues onto the ACD's configuration
// and the call path's settings; keys left out keep the ACD's documented
// defaults. Every agent also gets a personal queue.
func FromConfig(cfg *config.Config) (acd.Config, map[string]Settings) {
	var out acd.Config
	settings := make(map[string]Settings, len(cfg.Queues))
	names := make([]string, 0, len(cfg.Queues))
	for name := range cfg.Queues {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		qc, qs := queueConfig(name, cfg.Queues[name])
		settings[name] = qs
		out.Queues = append(out.Queues, qc)
	}
	for _, a := range cfg.Agents {
		// A blind transfer to the agent waits in its personal queue, with
		// music, until that agent is free.
		personal := PersonalQueue(a.ID)
		qc := acd.DefaultQueue(personal)
		qc.AnnounceEvery = 0
		qc.JoinEmpty = acd.JoinEmptyReject
		qc.LeaveWhenEmpty = true
		qc.AnnounceAgent = true
		out.Queues = append(out.Queues, qc)
		settings[personal] = Settings{Music: "hold", AnnounceAgent: true}
		out.Agents = append(out.Agents, acd.AgentConfig{
			ID: a.ID, Name: a.Name, WorkNumber: a.WorkNumber, Skills: a.Skills,
			Queues: append(append([]string(nil), a.Queues...), personal),
		})
	}
	return out, settings
}

func queueConfig(name string, q config.Queue) (acd.QueueConfig, Settings) {
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
	qs := Settings{Music: q.Music, ExitTarget: q.ExitTarget, AnnounceAgent: true}
	if qs.Music == "" {
		qs.Music = "hold"
	}
	if q.AnnounceAgent != nil {
		qs.AnnounceAgent = *q.AnnounceAgent
	}
	qc.AnnounceAgent = qs.AnnounceAgent
	if q.ExitDigit != "" {
		qs.ExitDigit = rune(q.ExitDigit[0])
	}
	return qc, qs
}

// personalQueuePrefix names the agents' personal queues; they stay out of
// the wallboard and the per-queue gauges.
const personalQueuePrefix = "agent:"

// PersonalQueue is the queue where calls transferred to agent wait.
func PersonalQueue(agent string) string { return personalQueuePrefix + agent }

// IsPersonalQueue reports whether name is an agent's personal queue.
func IsPersonalQueue(name string) bool { return strings.HasPrefix(name, personalQueuePrefix) }

func setDuration(dst *time.Duration, v *time.Duration) {
	if v != nil {
		*dst = *v
	}
}
