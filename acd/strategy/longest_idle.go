package strategy

// longestIdle rings the agent who has been idle longest: since the end of
// their last call, or since login if they have had none. Ties go to config
// order.
type longestIdle struct{ candidateHeap }

func newLongestIdle() *longestIdle {
	return &longestIdle{candidateHeap{before: idleLonger}}
}

func (*longestIdle) Name() string { return LongestIdle }

func (s *longestIdle) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	return s.best(dst, skip)
}
