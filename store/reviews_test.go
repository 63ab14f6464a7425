package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

func TestReviewsSaveListAcknowledgeAndCandidates(t *testing.T) {
	forEachDB(t, func(t *testing.T, env *testEnv) {
		s := env.open(t)
		ctx := context.Background()
		// One answered call with a survey score and a complaint
		// disposition, recorded; one recording without either.
		newScript("rv1", "13800000001", t0).
			at(0, call.CallArrived).at(0.2, call.CallAnswered, delay(0.2)).
			at(1, call.Queued, queue("billing")).
			at(3, call.AgentAnswered, queue("billing"), agent("1001"), wait(2)).
			at(60, call.TalkEnded, agent("1001"), by(call.HangupByCaller)).
			at(65, call.SurveyAnswered, score(1)).
			at(66, call.CallEnded, result(call.ResultAnsweredByAgent), reason("completed"), by(call.HangupByCaller)).
			at(70, call.DispositionSet, agent("1001"), dispo("complaint", false)).
			feed(s.Recorder())
		for _, r := range []Recording{
			{CallID: "rv1", Queue: "billing", Agent: "1001", File: "a/rv1.wav", Started: at(3), Duration: 57 * time.Second},
			{CallID: "rv2", Queue: "billing", Agent: "1002", File: "a/rv2.wav", Started: at(100), Duration: 30 * time.Second},
		} {
			if err := s.SaveRecording(r); err != nil {
				t.Fatal(err)
			}
		}
		flush(t, s)
		cands, err := s.ReviewCandidates(ctx, at(0), at(200))
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) != 2 || cands[0].CallID != "rv1" || cands[0].SurveyScore != 1 || cands[0].Category != "complaint" ||
			cands[0].Duration != 57*time.Second || !cands[0].Started.Equal(at(3)) || cands[1].SurveyScore != 0 || cands[1].Category != "" {
			t.Fatalf("candidates %+v", cands)
		}

		in := Review{
			CallID: "rv1", Agent: "1001", Queue: "billing", Form: "standard", Answers: map[string]int{"greeting": 0, "tone": 3},
			Score: 0, Raw: 60, CriticalFailed: []string{"greeting"}, Comment: "no work number", Reviewer: "sup",
			Started: at(3), Reviewed: at(500),
		}
		saved, err := s.SaveReview(ctx, in)
		if err != nil || saved.ID == 0 {
			t.Fatalf("save: %+v, %v", saved, err)
		}
		if _, err := s.SaveReview(ctx, in); !errors.Is(err, ErrReviewExists) {
			t.Fatalf("second review of one call: %v", err)
		}
		list, err := s.Reviews(ctx, ReviewFilter{From: at(0), To: at(200), Agent: "1001"})
		if err != nil || len(list) != 1 {
			t.Fatalf("reviews %+v, %v", list, err)
		}
		got := list[0]
		if got.Raw != 60 || got.Answers["tone"] != 3 || !slices.Equal(got.CriticalFailed, []string{"greeting"}) ||
			got.Reviewer != "sup" || !got.Reviewed.Equal(at(500)) || !got.Acknowledged.IsZero() {
			t.Fatalf("review read back %+v", got)
		}
		if other, _ := s.Reviews(ctx, ReviewFilter{From: at(0), To: at(200), Agent: "1002"}); len(other) != 0 {
			t.Fatalf("1002's reviews %+v", other)
		}
		if _, err := s.AcknowledgeReview(ctx, saved.ID, "1002", at(600)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another agent acknowledged: %v", err)
		}
		ack, err := s.AcknowledgeReview(ctx, saved.ID, "1001", at(600))
		if err != nil || !ack.Acknowledged.Equal(at(600)) {
			t.Fatalf("acknowledge: %+v, %v", ack, err)
		}
		again, _ := s.AcknowledgeReview(ctx, saved.ID, "1001", at(900))
		if !again.Acknowledged.Equal(at(600)) {
			t.Fatalf("a second acknowledgement moved the time: %v", again.Acknowledged)
		}
	})
}
