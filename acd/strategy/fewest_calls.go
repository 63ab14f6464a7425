package strategy

// fewestCalls rings the agent who has answered the fewest calls today, then
// the longest idle. "Today" follows the ACD's clock: the counters reset at
// local midnight or when the runtime calls ResetDailyCounters.
type fewestCalls struct{ candidateHeap }

func newFewestCalls() *fewestCalls {
	return &fewestCalls{candidateHeap{before: fewerCalls}}
}

func fewerCalls(a, b *Candidate) bool {
	if a.CallsToday != b.CallsToday {
		return a.CallsToday < b.CallsToday
	}
	return idleLonger(a, b)
}

func (*fewestCalls) Name() string { return FewestCalls }

func (s *fewestCalls) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	return s.best(dst, skip)
}
