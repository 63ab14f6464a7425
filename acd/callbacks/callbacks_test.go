package callbacks

import (
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// A failed attempt waits RetryAfter, then routes again; the last attempt,
// or a retry that would come after the give-up time, gives up.
func TestRetryAndGiveUp(t *testing.T) {
	s := New("13800001234", Policy{MaxAttempts: 2, RetryAfter: time.Minute, GiveUpAfter: time.Hour}, t0)
	if !s.GiveUpAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("give up at %v", s.GiveUpAt)
	}
	s.Dialing = true
	if got := s.Fired(t0); got != DueNothing {
		t.Fatalf("timer during an attempt: %v", got)
	}
	s.EndAttempt(Busy)
	at, giveUp := s.Retry(t0)
	if giveUp || !at.Equal(t0.Add(time.Minute)) || !s.WaitRetry {
		t.Fatalf("retry %v %v", at, giveUp)
	}
	if got := s.Fired(at); got != DueRetry || s.WaitRetry {
		t.Fatalf("retry timer: %v", got)
	}
	s.Dialing = true
	s.EndAttempt(AgentLeft) // not an attempt
	if s.Attempts != 1 {
		t.Fatalf("attempts %d after the agent left", s.Attempts)
	}
	s.EndAttempt(NoAnswer)
	if _, giveUp := s.Retry(t0); !giveUp {
		t.Fatal("no give-up after MaxAttempts")
	}
	late := New("1", Policy{MaxAttempts: 5, RetryAfter: time.Hour, GiveUpAfter: time.Hour}, t0)
	late.EndAttempt(Failed)
	if _, giveUp := late.Retry(t0); !giveUp {
		t.Fatal("a retry at the give-up time must give up")
	}
	if got := late.Fired(t0.Add(time.Hour)); got != DueGiveUp {
		t.Fatalf("give-up timer: %v", got)
	}
}

// Only the documented failures are failures; a restored callback is
// exhausted when its attempts or its time are used up.
func TestFailuresAndRestore(t *testing.T) {
	for _, r := range []string{Busy, NoAnswer, Failed, AgentLeft} {
		if !IsFailure(r) {
			t.Errorf("%q is a failure", r)
		}
	}
	if IsFailure(Answered) || IsFailure("") {
		t.Error("answered or empty taken for a failure")
	}
	p := Policy{MaxAttempts: 3, RetryAfter: time.Minute}
	s := Restored(Saved{Number: "1", Attempts: 3, GiveUpAt: t0.Add(time.Hour)}, p)
	if !s.Exhausted(t0) {
		t.Error("3 of 3 attempts used: exhausted")
	}
	s = Restored(Saved{Number: "1", Attempts: 1, GiveUpAt: t0.Add(time.Hour)}, p)
	if s.Exhausted(t0) || !s.Exhausted(t0.Add(time.Hour)) {
		t.Error("exhausted only at the give-up time")
	}
}
