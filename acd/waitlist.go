package acd

// waitList is an order-statistics tree (a treap) of calls in service order:
// higher priority first, then arrival. Besides insert and remove it answers,
// in O(log n), the head, a call's position, and the call that arrived first
// whatever its priority (for the oldest-wait figure). Nodes live inside the
// calls, so the tree allocates nothing.
type waitList struct{ root *waitNode }

type waitNode struct {
	left, right *waitNode
	weight      uint64 // heap order of the treap; derived from the call's sequence
	size        int
	earliest    *queuedCall // lowest sequence in this subtree
	call        *queuedCall
}

// servedBefore is the service order within a queue, and across queues when
// an agent serves several: priority, then the earlier arrival.
func servedBefore(a, b *queuedCall) bool {
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	return a.seq < b.seq
}

func (w *waitList) len() int { return w.root.sizeOf() }

func (w *waitList) insert(n *waitNode) {
	n.left, n.right = nil, nil
	n.weight = mix(n.call.seq)
	n.update()
	less, rest := split(w.root, n.call)
	w.root = merge(merge(less, n), rest)
}

func (w *waitList) remove(n *waitNode) { w.root = removeNode(w.root, n) }

// first is the call served next, or nil.
func (w *waitList) first() *queuedCall {
	t := w.root
	if t == nil {
		return nil
	}
	for t.left != nil {
		t = t.left
	}
	return t.call
}

// earliest is the call that joined first, or nil.
func (w *waitList) earliest() *queuedCall {
	if w.root == nil {
		return nil
	}
	return w.root.earliest
}

// rank counts the calls served before c, which must be in the list.
func (w *waitList) rank(c *queuedCall) int {
	ahead := 0
	for t := w.root; t != nil; {
		switch {
		case t.call == c:
			return ahead + t.left.sizeOf()
		case servedBefore(c, t.call):
			t = t.left
		default:
			ahead += t.left.sizeOf() + 1
			t = t.right
		}
	}
	return ahead
}

// each visits the calls in service order.
func (w *waitList) each(visit func(*queuedCall)) { walk(w.root, visit) }

func walk(t *waitNode, visit func(*queuedCall)) {
	if t == nil {
		return
	}
	walk(t.left, visit)
	visit(t.call)
	walk(t.right, visit)
}

func (t *waitNode) sizeOf() int {
	if t == nil {
		return 0
	}
	return t.size
}

func (t *waitNode) update() {
	t.size = 1 + t.left.sizeOf() + t.right.sizeOf()
	t.earliest = t.call
	for _, child := range [2]*waitNode{t.left, t.right} {
		if child != nil && child.earliest.seq < t.earliest.seq {
			t.earliest = child.earliest
		}
	}
}

// split divides t into the calls served before c and the rest.
func split(t *waitNode, c *queuedCall) (before, rest *waitNode) {
	if t == nil {
		return nil, nil
	}
	if servedBefore(t.call, c) {
		t.right, rest = split(t.right, c)
		t.update()
		return t, rest
	}
	before, t.left = split(t.left, c)
	t.update()
	return before, t
}

// merge joins two treaps where every call of a is served before those of b.
func merge(a, b *waitNode) *waitNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.weight > b.weight:
		a.right = merge(a.right, b)
		a.update()
		return a
	default:
		b.left = merge(a, b.left)
		b.update()
		return b
	}
}

func removeNode(t, n *waitNode) *waitNode {
	if t == nil {
		return nil
	}
	if t == n {
		joined := merge(t.left, t.right)
		n.left, n.right = nil, nil
		return joined
	}
	if servedBefore(n.call, t.call) {
		t.left = removeNode(t.left, n)
	} else {
		t.right = removeNode(t.right, n)
	}
	t.update()
	return t
}

// mix scrambles a sequence number into a treap weight (splitmix64), which
// keeps the tree balanced in expectation without a random source.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
