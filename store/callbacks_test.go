package store

import (
	"context"
	"testing"
	"time"
)

func TestCalledSince(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		june := time.Date(2026, 6, 1, 0, 0, 0, 0, cst)
		queuedCall{id: "c1", caller: "13900000002", queue: "general", agent: "1001",
			queued: june.AddDate(0, 0, 2), wait: 5, talk: 30}.script().feed(s.Recorder())
		flush(t, s)
		cases := []struct {
			number string
			since  time.Time
			want   bool
		}{
			{"13900000002", june, true},
			{"13900000002", june.AddDate(0, 0, 3), false}, // called before the window
			{"13912345678", june, false},
			{"", june, false},
		}
		for _, c := range cases {
			got, err := s.CalledSince(ctx, c.number, c.since)
			if err != nil || got != c.want {
				t.Errorf("CalledSince(%q, %s) = %v, %v; want %v", c.number, c.since.Format(time.DateOnly), got, err, c.want)
			}
		}
	})
}

func TestPendingCallbacksRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		b := PendingCallback{CallbackID: "b-cb", CallID: "b", Queue: "repair", Priority: 2, Caller: "13800000002",
			Number: "13800000002", HotlineNumber: "95598", Language: "en", Queued: at.Add(time.Minute), GiveUp: at.Add(2 * time.Hour)}
		a := b
		a.CallbackID, a.CallID, a.Queued = "a-cb", "a", at
		for _, p := range []PendingCallback{b, a} {
			if err := s.SaveCallback(p); err != nil {
				t.Fatal(err)
			}
		}
		a.Attempts = 2
		if err := s.SaveCallback(a); err != nil { // rewritten, not duplicated
			t.Fatal(err)
		}
		got, err := s.PendingCallbacks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != a || got[1] != b {
			t.Fatalf("pending:\n got  %+v\n want %+v, %+v", got, a, b)
		}
		s.DeleteCallback("a-cb")
		flush(t, s)
		if n := count(t, s, "callbacks", "callback_id = ?", "a-cb"); n != 0 {
			t.Fatalf("deleted callback still has %d rows", n)
		}
		if got, _ := s.PendingCallbacks(ctx); len(got) != 1 || got[0].CallbackID != "b-cb" {
			t.Fatalf("after delete: %+v", got)
		}
	})
}
