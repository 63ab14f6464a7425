package strategy

import "math/bits"

// memberSet holds candidates by their member index in a bitset, so the
// strategies that follow config order (round-robin, ring-all) find the next
// held member in O(members/64) without sorting.
type memberSet struct {
	words    []uint64
	byMember []*Candidate
	n        int
}

func newMemberSet(members int) memberSet {
	return memberSet{
		words:    make([]uint64, (members+63)/64),
		byMember: make([]*Candidate, members),
	}
}

func (s *memberSet) Len() int { return s.n }

func (s *memberSet) Add(c *Candidate) {
	s.grow(c.Member + 1)
	s.words[c.Member/64] |= 1 << (c.Member % 64)
	s.byMember[c.Member] = c
	s.n++
}

func (s *memberSet) Remove(c *Candidate) {
	s.words[c.Member/64] &^= 1 << (c.Member % 64)
	s.byMember[c.Member] = nil
	s.n--
}

// grow makes room for members beyond the size given at construction.
func (s *memberSet) grow(members int) {
	for len(s.byMember) < members {
		s.byMember = append(s.byMember, nil)
	}
	for len(s.words)*64 < members {
		s.words = append(s.words, 0)
	}
}

// next returns the first held member index ≥ from, or -1.
func (s *memberSet) next(from int) int {
	if from < 0 {
		from = 0
	}
	w := from / 64
	if w >= len(s.words) {
		return -1
	}
	word := s.words[w] &^ (1<<(from%64) - 1)
	for {
		if word != 0 {
			return w*64 + bits.TrailingZeros64(word)
		}
		w++
		if w >= len(s.words) {
			return -1
		}
		word = s.words[w]
	}
}
