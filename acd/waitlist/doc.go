// Package waitlist is the order-statistics tree that keeps a queue's
// waiting calls in service order: higher priority first, then arrival.
// Besides insert and remove it answers, in O(log n), the head, a node's
// position and the node that arrived first whatever its priority (for the
// oldest-wait figure). Nodes live inside the items they order, so the tree
// allocates nothing.
//
// It owns only the order. It must not know what a call, a queue or an
// agent is, read the clock or draw random numbers: its balance comes from
// the arrival sequence, so the same inserts always build the same tree.
package waitlist
