package recordingsql_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/store"
	"github.com/hotline-oss/hotline/store/internal/storetest"
	"github.com/hotline-oss/hotline/store/recordingsql"
)

func TestRecordingsSaveListFindExpire(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, env *storetest.Env) {
		s := env.Open(t)
		ctx := context.Background()
		base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		recs := []recordingsql.Recording{
			{CallID: "a", Queue: "billing", Agent: "1001", File: "2026/05/01/a.wav", Started: base, Duration: 90 * time.Second, Bytes: 2_880_044},
			{CallID: "b", Queue: "billing", Agent: "1002", File: "2026/05/02/b.wav", Started: base.AddDate(0, 0, 1), Bytes: 100},
			{CallID: "c", Queue: "repair", Agent: "1001", File: "2026/05/03/c.wav", Started: base.AddDate(0, 0, 2), Bytes: 200},
		}
		for _, r := range recs {
			if err := s.SaveRecording(r); err != nil {
				t.Fatal(err)
			}
		}
		// Saving again replaces, it does not duplicate.
		recs[1].Bytes = 150
		if err := s.SaveRecording(recs[1]); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveRecording(recordingsql.Recording{CallID: "x"}); !errors.Is(err, recordingsql.ErrBadRecording) {
			t.Fatalf("save without a file: %v", err)
		}
		storetest.Flush(t, s)
		all, err := s.Recordings(ctx, recordingsql.RecordingFilter{From: base, To: base.AddDate(0, 0, 3)})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(all); got != "c,b,a" {
			t.Fatalf("all recordings %s, want newest first c,b,a", got)
		}
		billing1001, _ := s.Recordings(ctx, recordingsql.RecordingFilter{From: base, To: base.AddDate(0, 0, 3), Queue: "billing", Agent: "1001"})
		if got := ids(billing1001); got != "a" {
			t.Fatalf("billing/1001 = %s", got)
		}
		a, err := s.RecordingOf(ctx, "a")
		if err != nil || a.File != recs[0].File || a.Duration != 90*time.Second || !a.Started.Equal(base) || a.Bytes != 2_880_044 {
			t.Fatalf("recording a = %+v, %v", a, err)
		}
		if b, _ := s.RecordingOf(ctx, "b"); b.Bytes != 150 {
			t.Fatalf("replaced recording b = %+v", b)
		}
		if _, err := s.RecordingOf(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown recording: %v", err)
		}
		old, err := s.ExpiredRecordings(ctx, "billing", base.AddDate(0, 0, 1), 10)
		if err != nil || ids(old) != "a" {
			t.Fatalf("expired billing = %s, %v", ids(old), err)
		}
		if err := s.DeleteRecording(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordingOf(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted recording still found: %v", err)
		}
	})
}

func ids(rs []recordingsql.Recording) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ","
		}
		out += r.CallID
	}
	return out
}
