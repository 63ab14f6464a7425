package waitlist

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type item struct{ node Node[*item] }

// The tree agrees with a sorted slice under random inserts and removals.
func TestWaitListMatchesSortedModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	var w List[*item]
	var model []*item
	var seq uint64
	for step := range 5000 {
		if len(model) == 0 || rng.IntN(3) > 0 {
			seq++
			c := &item{}
			c.node = Node[*item]{Key: Key{Seq: seq, Priority: rng.IntN(4)}, Value: c}
			w.Insert(&c.node)
			model = append(model, c)
		} else {
			i := rng.IntN(len(model))
			w.Remove(&model[i].node)
			model = slices.Delete(model, i, i+1)
		}
		slices.SortFunc(model, func(a, b *item) int {
			if a.node.Key.Before(b.node.Key) {
				return -1
			}
			return 1
		})
		if w.Len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, w.Len(), len(model))
		}
		if len(model) == 0 {
			if w.First() != nil || w.Earliest() != nil {
				t.Fatal("empty list has a first call")
			}
			continue
		}
		if w.First() != model[0] {
			t.Fatalf("step %d: wrong head", step)
		}
		earliest := slices.MinFunc(model, func(a, b *item) int { return int(a.node.Key.Seq) - int(b.node.Key.Seq) })
		if w.Earliest() != earliest {
			t.Fatalf("step %d: wrong earliest", step)
		}
		for _, i := range []int{0, len(model) / 2, len(model) - 1} {
			if r := w.Rank(&model[i].node); r != i {
				t.Fatalf("step %d: rank %d, want %d", step, r, i)
			}
		}
	}
	var order []*item
	w.Each(func(c *item) { order = append(order, c) })
	if !slices.Equal(order, model) {
		t.Fatal("each does not visit in service order")
	}
}
