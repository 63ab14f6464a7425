package acd

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The tree agrees with a sorted slice under random inserts and removals.
func TestWaitListMatchesSortedModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	var w waitList
	var model []*queuedCall
	var seq uint64
	for step := range 5000 {
		if len(model) == 0 || rng.IntN(3) > 0 {
			seq++
			c := &queuedCall{seq: seq, priority: rng.IntN(4)}
			c.waitNode.call = c
			w.insert(&c.waitNode)
			model = append(model, c)
		} else {
			i := rng.IntN(len(model))
			w.remove(&model[i].waitNode)
			model = slices.Delete(model, i, i+1)
		}
		slices.SortFunc(model, func(a, b *queuedCall) int {
			if servedBefore(a, b) {
				return -1
			}
			return 1
		})
		if w.len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, w.len(), len(model))
		}
		if len(model) == 0 {
			if w.first() != nil || w.earliest() != nil {
				t.Fatal("empty list has a first call")
			}
			continue
		}
		if w.first() != model[0] {
			t.Fatalf("step %d: wrong head", step)
		}
		earliest := slices.MinFunc(model, func(a, b *queuedCall) int { return int(a.seq) - int(b.seq) })
		if w.earliest() != earliest {
			t.Fatalf("step %d: wrong earliest", step)
		}
		for _, i := range []int{0, len(model) / 2, len(model) - 1} {
			if r := w.rank(model[i]); r != i {
				t.Fatalf("step %d: rank %d, want %d", step, r, i)
			}
		}
	}
	var order []*queuedCall
	w.each(func(c *queuedCall) { order = append(order, c) })
	if !slices.Equal(order, model) {
		t.Fatal("each does not visit in service order")
	}
}
