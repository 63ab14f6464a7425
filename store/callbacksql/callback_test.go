package callbacksql_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store/callbacksql"
	"github.com/hotline-oss/hotline/store/internal/storetest"
)

func TestPendingCallbacksRoundTrip(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		ctx := context.Background()
		at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
		b := callbacksql.PendingCallback{CallbackID: "b-cb", CallID: "b", Queue: "repair", Priority: 2, Caller: "13800000002",
			Number: "13800000002", HotlineNumber: "95598", Language: "en", Queued: at.Add(time.Minute), GiveUp: at.Add(2 * time.Hour)}
		a := b
		a.CallbackID, a.CallID, a.Queued = "a-cb", "a", at
		for _, p := range []callbacksql.PendingCallback{b, a} {
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
		storetest.Flush(t, s)
		if n := env.Count(t, "callbacks", "callback_id = ?", "a-cb"); n != 0 {
			t.Fatalf("deleted callback still has %d rows", n)
		}
		if got, _ := s.PendingCallbacks(ctx); len(got) != 1 || got[0].CallbackID != "b-cb" {
			t.Fatalf("after delete: %+v", got)
		}
	})
}
