package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

func TestRecordingsSaveListFindExpire(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		recs := []Recording{
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
		if err := s.SaveRecording(Recording{CallID: "x"}); !errors.Is(err, ErrBadRecording) {
			t.Fatalf("save without a file: %v", err)
		}
		flush(t, s)
		all, err := s.Recordings(ctx, RecordingFilter{From: base, To: base.AddDate(0, 0, 3)})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(all); got != "c,b,a" {
			t.Fatalf("all recordings %s, want newest first c,b,a", got)
		}
		billing1001, _ := s.Recordings(ctx, RecordingFilter{From: base, To: base.AddDate(0, 0, 3), Queue: "billing", Agent: "1001"})
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
		if _, err := s.RecordingOf(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown recording: %v", err)
		}
		old, err := s.ExpiredRecordings(ctx, "billing", base.AddDate(0, 0, 1), 10)
		if err != nil || ids(old) != "a" {
			t.Fatalf("expired billing = %s, %v", ids(old), err)
		}
		if err := s.DeleteRecording(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordingOf(ctx, "a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted recording still found: %v", err)
		}
	})
}

func ids(rs []Recording) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ","
		}
		out += r.CallID
	}
	return out
}

func TestRecordingSavedEventNamesTheFileOnTheCall(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		q := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		sc := queuedCall{id: "R1", caller: "555", queue: "billing", agent: "1001", queued: q, wait: 5, talk: 30}.script()
		for _, e := range sc.events {
			if e.Kind == call.CallEnded {
				s.Recorder().HandleEvent(call.Event{Kind: call.RecordingSaved, CallID: "R1", Queue: "billing", Detail: "2026/05/01/R1.wav", Time: e.Time})
			}
			s.Recorder().HandleEvent(e)
		}
		flush(t, s)
		if got := getCall(t, s, "R1").RecordingFile; got != "2026/05/01/R1.wav" {
			t.Fatalf("recording_file = %q", got)
		}
	})
}

func TestLastAgentComplaintsAndRatedCalls(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		r := s.Recorder()
		ctx := context.Background()
		may := time.Date(2026, 5, 1, 0, 0, 0, 0, cst)
		calls := []queuedCall{
			{id: "s1", caller: "555", queue: "general", agent: "1001", queued: may.AddDate(0, 0, 1), wait: 5, talk: 30, survey: 5},
			{id: "s2", caller: "555", queue: "general", agent: "1002", queued: may.AddDate(0, 0, 3), wait: 5, talk: 30, survey: 2},
			{id: "s3", caller: "555", queue: "general", queued: may.AddDate(0, 0, 4), wait: 5, abandon: true},
			{id: "s4", caller: "666", queue: "general", agent: "1003", queued: may.AddDate(0, 0, 4), wait: 5, talk: 30},
		}
		for i := range 5 {
			calls = append(calls, queuedCall{id: fmt.Sprint("k", i), caller: "777", queue: "complaints", agent: "1003",
				queued: may.AddDate(0, 0, 5+i), wait: 5, talk: 30, category: "complaint"})
		}
		// April's complaint does not count in May.
		calls = append(calls, queuedCall{id: "k-april", caller: "777", queue: "complaints", agent: "1003",
			queued: may.Add(-time.Hour), wait: 5, talk: 30, category: "complaint"})
		for _, c := range calls {
			c.script().feed(r)
		}
		flush(t, s)

		if got, err := s.LastAgent(ctx, "555", may); err != nil || got != "1002" {
			t.Fatalf("last agent of 555 = %q, %v; want 1002 (the abandoned call has none)", got, err)
		}
		if got, _ := s.LastAgent(ctx, "555", may.AddDate(0, 0, 10)); got != "" {
			t.Fatalf("last agent beyond the window = %q", got)
		}
		if got, _ := s.LastAgent(ctx, "nobody", may); got != "" {
			t.Fatalf("unknown caller's agent = %q", got)
		}
		from, to := MonthOf(may.AddDate(0, 0, 20), cst)
		if n, err := s.ComplaintCount(ctx, "777", "complaint", from, to); err != nil || n != 5 {
			t.Fatalf("complaints of 777 in May = %d, %v; want 5", n, err)
		}
		if n, _ := s.ComplaintCount(ctx, "555", "complaint", from, to); n != 0 {
			t.Fatalf("complaints of 555 = %d", n)
		}
		rep, err := s.RepeatCallers(ctx, RepeatParams{Month: may.AddDate(0, 0, 20), Location: cst})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Counts[0].MinCalls != 5 || rep.Counts[0].Complainers != 1 || rep.Counts[1].Complainers != 0 {
			t.Fatalf("repeat complaint counts = %+v, want one complainer at N=5 and none at 10", rep.Counts)
		}
		rated, err := s.RatedCalls(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(rated) != 2 || rated[0].Agent != "1001" || rated[0].Score != 5 || rated[1].Agent != "1002" || rated[1].Queue != "general" {
			t.Fatalf("rated calls = %+v", rated)
		}
	})
}
