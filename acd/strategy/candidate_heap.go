package strategy

// candidateHeap is a binary heap of candidates ordered by before; it backs
// the strategies that rank agents by a key (idle time, calls, talk, skill).
// Candidate.slot is each element's index, so removal is O(log n).
type candidateHeap struct {
	items    []*Candidate
	before   func(a, b *Candidate) bool
	frontier []int // scratch for best
}

func (h *candidateHeap) Len() int { return len(h.items) }

func (h *candidateHeap) Add(c *Candidate) {
	c.slot = len(h.items)
	h.items = append(h.items, c)
	h.up(c.slot)
}

func (h *candidateHeap) Remove(c *Candidate) {
	i := c.slot
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = nil
	h.items = h.items[:last]
	if i != last {
		h.down(i)
		h.up(i)
	}
}

// best appends the first candidate in heap order that skip does not reject.
// Skipped candidates are few (agents that already failed this call), so a
// best-first walk from the root that expands only skipped nodes stays small.
func (h *candidateHeap) best(dst []*Candidate, skip func(*Candidate) bool) []*Candidate {
	if len(h.items) == 0 {
		return dst
	}
	if skip == nil || !skip(h.items[0]) {
		return append(dst, h.items[0])
	}
	h.frontier = append(h.frontier[:0], 0)
	for len(h.frontier) > 0 {
		at := 0
		for k := 1; k < len(h.frontier); k++ {
			if h.before(h.items[h.frontier[k]], h.items[h.frontier[at]]) {
				at = k
			}
		}
		i := h.frontier[at]
		h.frontier[at] = h.frontier[len(h.frontier)-1]
		h.frontier = h.frontier[:len(h.frontier)-1]
		if !skip(h.items[i]) {
			return append(dst, h.items[i])
		}
		for _, child := range [2]int{2*i + 1, 2*i + 2} {
			if child < len(h.items) {
				h.frontier = append(h.frontier, child)
			}
		}
	}
	return dst
}

func (h *candidateHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].slot = i
	h.items[j].slot = j
}

func (h *candidateHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.before(h.items[i], h.items[parent]) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h *candidateHeap) down(i int) {
	n := len(h.items)
	for {
		smallest := i
		for _, child := range [2]int{2*i + 1, 2*i + 2} {
			if child < n && h.before(h.items[child], h.items[smallest]) {
				smallest = child
			}
		}
		if smallest == i {
			return
		}
		h.swap(i, smallest)
		i = smallest
	}
}
