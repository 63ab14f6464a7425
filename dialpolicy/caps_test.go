package dialpolicy

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

func reason(err error) Reason {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func TestLedgerCapsOneNumberOver24Hours(t *testing.T) {
	var l Ledger
	caps := Caps{PerNumber: 3, PerHour: 100}
	for i := range 3 {
		at := t0.Add(time.Duration(i) * 2 * time.Hour)
		if err := l.Admit(at, fmt.Sprint("cb", i), "13800000001", caps); err != nil {
			t.Fatalf("callback %d refused: %v", i, err)
		}
	}
	// A fourth the same day is refused; another number is not.
	if r := reason(l.Admit(t0.Add(5*time.Hour), "cb3", "13800000001", caps)); r != NumberCap {
		t.Fatalf("fourth callback: reason %q, want number_cap", r)
	}
	if err := l.Admit(t0.Add(5*time.Hour), "other", "13900000002", caps); err != nil {
		t.Fatalf("another number refused: %v", err)
	}
	// 24 h after the first, one slot is free again; not a minute before.
	if r := reason(l.Admit(t0.Add(24*time.Hour-time.Minute), "cb4", "13800000001", caps)); r != NumberCap {
		t.Fatalf("just before the window: reason %q, want number_cap", r)
	}
	if err := l.Admit(t0.Add(24*time.Hour), "cb5", "13800000001", caps); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if n := l.Count(t0.Add(24*time.Hour), "13800000001"); n != 3 {
		t.Fatalf("count %d, want 3 in the window", n)
	}
}

func TestLedgerCapsAllCallbacksPerHour(t *testing.T) {
	var l Ledger
	caps := Caps{PerNumber: 3, PerHour: 2}
	if err := l.Admit(t0, "a", "13800000001", caps); err != nil {
		t.Fatal(err)
	}
	if err := l.Admit(t0.Add(30*time.Minute), "b", "13800000002", caps); err != nil {
		t.Fatal(err)
	}
	if r := reason(l.Admit(t0.Add(59*time.Minute), "c", "13800000003", caps)); r != HourlyCap {
		t.Fatalf("third in the hour: reason %q, want hourly_cap", r)
	}
	if err := l.Admit(t0.Add(time.Hour), "c", "13800000003", caps); err != nil {
		t.Fatalf("an hour after the first: %v", err)
	}
	// The same id again is no new callback.
	if err := l.Admit(t0.Add(time.Hour), "c", "13800000003", caps); err != nil {
		t.Fatalf("same id again: %v", err)
	}
}

func TestLedgerForgetFreesTheSlot(t *testing.T) {
	var l Ledger
	caps := Caps{PerNumber: 1, PerHour: 10}
	if err := l.Admit(t0, "a", "13800000001", caps); err != nil {
		t.Fatal(err)
	}
	l.Forget("a")
	if err := l.Admit(t0.Add(time.Minute), "b", "13800000001", caps); err != nil {
		t.Fatalf("after Forget: %v", err)
	}
}

func TestLedgerRecheckCountsOnlyEarlierCallbacks(t *testing.T) {
	var l Ledger
	// Three callbacks restored after a restart, then the cap is 2: the
	// third (latest) is refused before it is dialled, the first two pass.
	l.Seed(t0.Add(2*time.Minute), "c", "13800000001")
	l.Seed(t0, "a", "13800000001")
	l.Seed(t0.Add(time.Minute), "b", "13800000001")
	caps := Caps{PerNumber: 2, PerHour: 10}
	now := t0.Add(10 * time.Minute)
	for id, want := range map[string]Reason{"a": "", "b": "", "c": NumberCap} {
		if r := reason(l.Recheck(now, id, "13800000001", caps)); r != want {
			t.Errorf("Recheck(%s) reason %q, want %q", id, r, want)
		}
	}
	// The hourly cap lowered to 1: only the first of the hour passes.
	caps = Caps{PerNumber: 5, PerHour: 1}
	if r := reason(l.Recheck(now, "a", "13800000001", caps)); r != "" {
		t.Errorf("first of the hour refused: %q", r)
	}
	if r := reason(l.Recheck(now, "b", "13800000001", caps)); r != HourlyCap {
		t.Errorf("second of the hour: reason %q, want hourly_cap", r)
	}
	// An unknown id is admitted on the spot, within the caps.
	if err := l.Recheck(now, "d", "13900000002", Caps{PerNumber: 1, PerHour: 10}); err != nil {
		t.Errorf("unknown id: %v", err)
	}
	if n := l.Count(now, "13900000002"); n != 1 {
		t.Errorf("unknown id not recorded: count %d", n)
	}
}
