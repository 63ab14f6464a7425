package strategy

// roundRobin rings the members in config order, one call each, continuing
// after the member picked last time (the queue's cursor) and wrapping round.
type roundRobin struct {
	memberSet
	last int // member picked last; -1 before the first pick
}

func newRoundRobin(members int) *roundRobin {
	return &roundRobin{memberSet: newMemberSet(members), last: -1}
}

func (*roundRobin) Name() string { return RoundRobin }

func (s *roundRobin) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	if s.n == 0 {
		return dst
	}
	start := s.last + 1
	// Two laps: from the cursor to the end, then from the start round to it.
	for _, span := range [2][2]int{{start, len(s.byMember)}, {0, start}} {
		for m := s.next(span[0]); m >= 0 && m < span[1]; m = s.next(m + 1) {
			c := s.byMember[m]
			if skip != nil && skip(c) {
				continue
			}
			s.last = m
			return append(dst, c)
		}
	}
	return dst
}
