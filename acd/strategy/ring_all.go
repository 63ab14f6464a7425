package strategy

// ringAll rings every eligible member at once; the first to answer takes the
// call and the others stop ringing.
type ringAll struct{ memberSet }

func newRingAll(members int) *ringAll {
	return &ringAll{newMemberSet(members)}
}

func (*ringAll) Name() string { return RingAll }

func (s *ringAll) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	for m := s.next(0); m >= 0; m = s.next(m + 1) {
		c := s.byMember[m]
		if skip == nil || !skip(c) {
			dst = append(dst, c)
		}
	}
	return dst
}
