package roster

import (
	"time"

	"github.com/hotline-oss/hotline/acd/agentstate"
	"github.com/hotline-oss/hotline/acd/strategy"
)

// SkillScore sums the agent's levels in the required skills; ok is false
// when one is missing or below its level.
func SkillScore(have, need map[string]int) (score int, ok bool) {
	for skill, least := range need {
		level := have[skill]
		if level < least {
			return 0, false
		}
		score += level
	}
	return score, true
}

// Join makes ag a member of q if its skills qualify. Candidates live in
// the agent's member slice, which strategies point into: set their owners
// (OwnMembers) once the slice is complete, before a strategy sees them.
func Join(ag *Agent, q *Queue) {
	score, ok := SkillScore(ag.Cfg.Skills, q.Cfg.RequiredSkills)
	if !ok {
		return
	}
	ag.Member = append(ag.Member, Membership{Q: q, Cand: strategy.Candidate{
		AgentID: ag.Cfg.ID, Member: len(q.Members), SkillScore: score,
	}})
	q.Members = append(q.Members, ag)
	q.Count[ag.State]++
}

// OwnMembers points the agent's candidates back at it.
func (ag *Agent) OwnMembers() {
	for i := range ag.Member {
		ag.Member[i].Cand.Owner = ag
	}
}

// SetState moves ag to next at now, moving it between its queues' counts.
// Only Paused keeps a reason.
func (ag *Agent) SetState(next agentstate.State, reason string, now time.Time) {
	for _, m := range ag.Member {
		m.Q.Count[ag.State]--
		m.Q.Count[next]++
	}
	ag.State, ag.Since = next, now
	ag.Reason = ""
	if next == agentstate.Paused {
		ag.Reason = reason
	}
}

// RefreshRoutable adds ag to, or withdraws it from, the strategies of its
// queues so that they hold exactly the eligible agents: available and not
// backing off at now. Each queue it is added to is passed to changed.
func (ag *Agent) RefreshRoutable(now time.Time, changed func(*Queue)) {
	want := ag.State == agentstate.Available && !ag.BackoffUntil.After(now)
	if want == ag.Routable {
		return
	}
	ag.Routable = want
	for i := range ag.Member {
		m := &ag.Member[i]
		if !want {
			m.Q.Strategy.Remove(&m.Cand)
			continue
		}
		m.Cand.IdleSince = ag.IdleSince
		m.Cand.CallsToday = ag.CallsToday
		m.Cand.TalkToday = ag.TalkToday
		m.Q.Strategy.Add(&m.Cand)
		changed(m.Q)
	}
}

// Unroute withdraws ag from every strategy it is held by.
func (ag *Agent) Unroute() {
	if !ag.Routable {
		return
	}
	ag.Routable = false
	for i := range ag.Member {
		ag.Member[i].Q.Strategy.Remove(&ag.Member[i].Cand)
	}
}

// ResetDaily zeroes ag's calls and talk time today; a routable agent is
// re-added with the new keys so the strategies re-rank.
func (ag *Agent) ResetDaily(now time.Time, changed func(*Queue)) {
	ag.CallsToday, ag.TalkToday = 0, 0
	if ag.Routable {
		ag.Unroute()
		ag.RefreshRoutable(now, changed)
	}
}
