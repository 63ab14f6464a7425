package cdr

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// A call whose end never came is finished by the Recorder: failed with the
// reason it gives, unless the stream said otherwise, and provisional; the
// same event twice is folded once.
func TestFinishEndsAnOpenCallProvisionally(t *testing.T) {
	t0 := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	arrived := call.Event{Kind: call.CallArrived, CallID: "c1", Caller: "111", Number: "95598", Time: t0}
	b := NewBuilder(arrived)
	if !b.Apply(arrived) {
		t.Fatal("CallArrived does not belong to the record")
	}
	if b.Apply(arrived) {
		t.Error("the same event was folded twice")
	}
	if b.Finished() || b.Provisional() {
		t.Fatal("finished before its end")
	}
	end := t0.Add(time.Minute)
	b.Finish("incomplete", end)
	rec := b.Record()
	if !b.Finished() || !b.Provisional() {
		t.Errorf("finished %v, provisional %v; want both", b.Finished(), b.Provisional())
	}
	if rec.CallID != "c1" || rec.Caller != "111" || rec.Result != call.ResultFailed ||
		rec.EndReason != "incomplete" || !rec.Ended.Equal(end) || !rec.Arrived.Equal(t0) {
		t.Errorf("record %+v", rec)
	}
}
