package strategy

// leastTalkTime rings the agent with the least talk time today, then the
// longest idle, which spreads the talking load rather than the call count.
type leastTalkTime struct{ candidateHeap }

func newLeastTalkTime() *leastTalkTime {
	return &leastTalkTime{candidateHeap{before: lessTalk}}
}

func lessTalk(a, b *Candidate) bool {
	if a.TalkToday != b.TalkToday {
		return a.TalkToday < b.TalkToday
	}
	return idleLonger(a, b)
}

func (*leastTalkTime) Name() string { return LeastTalkTime }

func (s *leastTalkTime) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	return s.best(dst, skip)
}
