package timerheap

import (
	"container/heap"
	"time"
)

// Timer is one deadline and what it is about (P, the owner's own word).
type Timer[P any] struct {
	at  time.Time
	seq uint64 // arming order, so timers due together fire in that order
	pos int    // index in the heap + 1; 0 when not armed
	P   P
}

// Armed reports whether t is scheduled.
func (t *Timer[P]) Armed() bool { return t.pos > 0 }

// At is when t is (or was last) due.
func (t *Timer[P]) At() time.Time { return t.at }

// Heap orders armed timers by due time. The zero Heap is empty.
type Heap[P any] struct {
	h   timers[P]
	seq uint64
}

// Arm (re)schedules t for at.
func (h *Heap[P]) Arm(t *Timer[P], at time.Time) {
	h.seq++
	t.at, t.seq = at, h.seq
	if t.Armed() {
		heap.Fix(&h.h, t.pos-1)
		return
	}
	heap.Push(&h.h, t)
}

// Disarm cancels t if it is armed.
func (h *Heap[P]) Disarm(t *Timer[P]) {
	if t.Armed() {
		heap.Remove(&h.h, t.pos-1)
	}
}

// Next is when the earliest timer is due; ok is false when none is armed.
func (h *Heap[P]) Next() (at time.Time, ok bool) {
	if len(h.h) == 0 {
		return time.Time{}, false
	}
	return h.h[0].at, true
}

// PopDue takes out and returns the earliest timer due by now, or nil.
func (h *Heap[P]) PopDue(now time.Time) *Timer[P] {
	if len(h.h) == 0 || h.h[0].at.After(now) {
		return nil
	}
	return heap.Pop(&h.h).(*Timer[P])
}

// timers is the slice container/heap drives.
type timers[P any] []*Timer[P]

func (h timers[P]) Len() int { return len(h) }

func (h timers[P]) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}

func (h timers[P]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos = i + 1
	h[j].pos = j + 1
}

func (h *timers[P]) Push(x any) {
	t := x.(*Timer[P])
	t.pos = len(*h) + 1
	*h = append(*h, t)
}

func (h *timers[P]) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.pos = 0
	return t
}
