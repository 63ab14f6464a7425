package strategy

// skillsBased rings the agent whose levels in the queue's required skills add
// up highest, then the longest idle. Agents missing a required skill, or
// holding it below the required level, never reach the strategy: queue
// membership filters them out.
type skillsBased struct{ candidateHeap }

func newSkillsBased() *skillsBased {
	return &skillsBased{candidateHeap{before: moreSkilled}}
}

func moreSkilled(a, b *Candidate) bool {
	if a.SkillScore != b.SkillScore {
		return a.SkillScore > b.SkillScore
	}
	return idleLonger(a, b)
}

func (*skillsBased) Name() string { return SkillsBased }

func (s *skillsBased) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	return s.best(dst, skip)
}
