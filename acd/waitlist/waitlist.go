package waitlist

// Key is a node's place in service order.
type Key struct {
	Priority int    // higher first
	Seq      uint64 // then the lower (earlier) sequence
}

// Before is the service order: priority, then the earlier arrival.
func (k Key) Before(o Key) bool {
	if k.Priority != o.Priority {
		return k.Priority > o.Priority
	}
	return k.Seq < o.Seq
}

// Node is an item's place in a List. Set Key and Value before inserting
// it, and leave Key alone while it is in a list.
type Node[T any] struct {
	left, right *Node[T]
	weight      uint64 // heap order of the treap; derived from Key.Seq
	size        int
	earliest    *Node[T] // lowest sequence in this subtree
	Key         Key
	Value       T
}

// List is a treap of nodes in service order. The zero List is empty.
type List[T any] struct{ root *Node[T] }

// Len is the number of nodes in the list.
func (l *List[T]) Len() int { return l.root.sizeOf() }

// Insert adds n, which must not be in a list.
func (l *List[T]) Insert(n *Node[T]) {
	n.left, n.right = nil, nil
	n.weight = mix(n.Key.Seq)
	n.update()
	less, rest := split(l.root, n.Key)
	l.root = merge(merge(less, n), rest)
}

// Remove takes n, which must be in the list, out of it.
func (l *List[T]) Remove(n *Node[T]) { l.root = removeNode(l.root, n) }

// First is the value served next, or the zero T.
func (l *List[T]) First() T {
	t := l.root
	if t == nil {
		var zero T
		return zero
	}
	for t.left != nil {
		t = t.left
	}
	return t.Value
}

// Earliest is the value that joined first, or the zero T.
func (l *List[T]) Earliest() T {
	if l.root == nil {
		var zero T
		return zero
	}
	return l.root.earliest.Value
}

// Rank counts the nodes served before n, which must be in the list.
func (l *List[T]) Rank(n *Node[T]) int {
	ahead := 0
	for t := l.root; t != nil; {
		switch {
		case t == n:
			return ahead + t.left.sizeOf()
		case n.Key.Before(t.Key):
			t = t.left
		default:
			ahead += t.left.sizeOf() + 1
			t = t.right
		}
	}
	return ahead
}

// Each visits the values in service order.
func (l *List[T]) Each(visit func(T)) { walk(l.root, visit) }

func walk[T any](t *Node[T], visit func(T)) {
	if t == nil {
		return
	}
	walk(t.left, visit)
	visit(t.Value)
	walk(t.right, visit)
}

func (t *Node[T]) sizeOf() int {
	if t == nil {
		return 0
	}
	return t.size
}

func (t *Node[T]) update() {
	t.size = 1 + t.left.sizeOf() + t.right.sizeOf()
	t.earliest = t
	for _, child := range [2]*Node[T]{t.left, t.right} {
		if child != nil && child.earliest.Key.Seq < t.earliest.Key.Seq {
			t.earliest = child.earliest
		}
	}
}

// split divides t into the nodes served before k and the rest.
func split[T any](t *Node[T], k Key) (before, rest *Node[T]) {
	if t == nil {
		return nil, nil
	}
	if t.Key.Before(k) {
		t.right, rest = split(t.right, k)
		t.update()
		return t, rest
	}
	before, t.left = split(t.left, k)
	t.update()
	return before, t
}

// merge joins two treaps where every node of a is served before those of b.
func merge[T any](a, b *Node[T]) *Node[T] {
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

func removeNode[T any](t, n *Node[T]) *Node[T] {
	if t == nil {
		return nil
	}
	if t == n {
		joined := merge(t.left, t.right)
		n.left, n.right = nil, nil
		return joined
	}
	if n.Key.Before(t.Key) {
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
