package strategy

import "math/rand/v2"

// random rings an eligible agent chosen at random from the injected source,
// so tests can seed it.
type random struct {
	items []*Candidate
	rng   *rand.Rand
}

// randomTries is how many draws may land on skipped agents before the pick
// falls back to a walk from the last draw.
const randomTries = 4

func newRandom(rng *rand.Rand) *random { return &random{rng: rng} }

func (*random) Name() string { return Random }

func (s *random) Len() int { return len(s.items) }

func (s *random) Add(c *Candidate) {
	c.slot = len(s.items)
	s.items = append(s.items, c)
}

func (s *random) Remove(c *Candidate) {
	last := len(s.items) - 1
	moved := s.items[last]
	s.items[c.slot] = moved
	moved.slot = c.slot
	s.items[last] = nil
	s.items = s.items[:last]
}

func (s *random) Pick(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	n := len(s.items)
	if n == 0 {
		return dst
	}
	var at int
	for range randomTries {
		at = s.rng.IntN(n)
		if skip == nil || !skip(s.items[at]) {
			return append(dst, s.items[at])
		}
	}
	for k := 1; k < n; k++ {
		c := s.items[(at+k)%n]
		if !skip(c) {
			return append(dst, c)
		}
	}
	return dst
}
