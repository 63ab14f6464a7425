package acd

import (
	"fmt"

	"github.com/hotline-oss/hotline/acd/agentstate"
)

// transition moves ag on e, emitting AgentStateChanged, or reports why not.
func (a *ACD) transition(ag *agent, e agentstate.Event, reason string) error {
	next, err := agentstate.Transition(ag.State, e)
	if err != nil {
		return fmt.Errorf("acd: agent %s: %w", ag.Cfg.ID, err)
	}
	a.setState(ag, next, reason)
	return nil
}

// mustTransition is for moves the ACD makes on its own, which its
// bookkeeping guarantees are legal.
func (a *ACD) mustTransition(ag *agent, e agentstate.Event, reason string) {
	if err := a.transition(ag, e, reason); err != nil {
		panic(err)
	}
}

func (a *ACD) setState(ag *agent, next State, reason string) {
	prev := ag.State
	ag.SetState(next, reason, a.now)
	a.emit(ag.StateChanged(prev, reason))
	a.refreshRoutable(ag)
}

// refreshRoutable keeps ag in exactly the strategies it is eligible for.
func (a *ACD) refreshRoutable(ag *agent) { ag.RefreshRoutable(a.now, a.markDirty) }

// ResetDailyCounters zeroes every agent's calls and talk time today. The ACD
// does this itself when its clock passes midnight; the runtime may call it
// for another schedule (a shift change, say).
func (a *ACD) ResetDailyCounters() {
	a.begin()
	a.resetDaily()
}

func (a *ACD) resetDaily() {
	for _, ag := range a.roster.Agents {
		ag.ResetDaily(a.now, a.markDirty)
	}
}
