package timerheap

import (
	"testing"
	"time"
)

// Timers fire by due time, ties in arming order; re-arming moves a timer
// and a disarmed one never fires.
func TestDueOrder(t *testing.T) {
	var h Heap[string]
	base := time.Unix(0, 0)
	a, b, c, d := &Timer[string]{P: "a"}, &Timer[string]{P: "b"}, &Timer[string]{P: "c"}, &Timer[string]{P: "d"}
	h.Arm(a, base.Add(3*time.Second))
	h.Arm(b, base.Add(time.Second))
	h.Arm(c, base.Add(time.Second))
	h.Arm(d, base.Add(2*time.Second))
	h.Arm(a, base.Add(time.Second)) // now due with b and c, armed after them
	h.Disarm(d)
	if d.Armed() {
		t.Fatal("disarmed timer still armed")
	}
	if at, ok := h.Next(); !ok || !at.Equal(base.Add(time.Second)) {
		t.Fatalf("next %v %v", at, ok)
	}
	if h.PopDue(base) != nil {
		t.Fatal("a timer popped before it was due")
	}
	var got string
	for x := h.PopDue(base.Add(time.Hour)); x != nil; x = h.PopDue(base.Add(time.Hour)) {
		got += x.P
	}
	if got != "bca" {
		t.Fatalf("fired %q, want bca", got)
	}
	if _, ok := h.Next(); ok {
		t.Fatal("empty heap has a next timer")
	}
}
