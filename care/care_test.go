package care

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testclock"
)

func TestSurveyMachineRules(t *testing.T) {
	cases := []struct {
		keys      string
		wantSteps []surveyStep
		wantScore int
	}{
		{"1", []surveyStep{surveyAnswered}, 1},
		{"5", []surveyStep{surveyAnswered}, 5},
		{"#", []surveyStep{surveySkipped}, 0},
		{"9", []surveyStep{surveyRetry}, 0},
		{"93", []surveyStep{surveyRetry, surveyAnswered}, 3},
		{"0*", []surveyStep{surveyRetry, surveySkipped}, 0},
		{"6#", []surveyStep{surveyRetry, surveySkipped}, 0},
	}
	for _, c := range cases {
		m := &surveyMachine{}
		var score int
		for i, k := range c.keys {
			step, n := m.key(k)
			if step != c.wantSteps[i] {
				t.Fatalf("keys %q: key %d gave step %d, want %d", c.keys, i, step, c.wantSteps[i])
			}
			score = n
		}
		if score != c.wantScore {
			t.Errorf("keys %q: score %d, want %d", c.keys, score, c.wantScore)
		}
	}
	if (&surveyMachine{}).timeout() != surveySkipped {
		t.Error("silence must skip the survey")
	}
}

func TestRecordingFileNames(t *testing.T) {
	day := time.Date(2026, 3, 7, 23, 59, 0, 0, time.UTC)
	if got := RecordingFile(day, "abc-123@host"); got != "2026/03/07/abc-123@host.wav" {
		t.Errorf("plain id: %s", got)
	}
	for _, id := range []string{"../../etc/passwd", "a/b", `a\b`, "..", strings.Repeat("x", 300), "名字"} {
		got := RecordingFile(day, id)
		if !filepath.IsLocal(filepath.FromSlash(got)) || strings.Count(got, "/") != 3 || !strings.HasSuffix(got, ".wav") {
			t.Errorf("id %q: unsafe file %q", id, got)
		}
		if len(got) > 120 {
			t.Errorf("id %q: file name too long (%d)", id, len(got))
		}
	}
	if RecordingFile(day, "a/b") == RecordingFile(day, "a_b") {
		t.Error("ids differing in unsafe characters share a file")
	}
	cr := &Service{recDir: t.TempDir()}
	if _, err := cr.RecordingPath("../outside.wav"); err == nil {
		t.Error("a stored path leaving the directory was accepted")
	}
	if _, err := cr.RecordingPath("/etc/passwd"); err == nil {
		t.Error("an absolute stored path was accepted")
	}
}

func TestComplaintCache(t *testing.T) {
	t0 := time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)
	cc := newComplaintCache(time.Minute, 2)
	if _, ok := cc.get("555", t0); ok {
		t.Fatal("hit in an empty cache")
	}
	cc.put("555", 2, t0)
	if n, ok := cc.get("555", t0.Add(59*time.Second)); !ok || n != 2 {
		t.Fatalf("cached count = %d, %v", n, ok)
	}
	if _, ok := cc.get("555", t0.Add(time.Minute)); ok {
		t.Fatal("entry outlived its ttl")
	}
	cc.put("556", 1, t0)
	cc.put("557", 0, t0) // over max: starts over
	if _, ok := cc.get("555", t0); ok {
		t.Fatal("cache grew past its bound")
	}
	cc.HandleEvent(call.Event{Kind: call.DispositionSet, Category: "complaint"})
	if _, ok := cc.get("557", t0); ok {
		t.Fatal("a new disposition left the cache as it was")
	}
}

// countingStore answers complaint counts from a map and counts the queries.
// countingStore counts complaint queries; the care features' other store
// methods are not used here.
type countingStore struct {
	Store
	mu      sync.Mutex
	counts  map[string]int
	queries map[string]int
}

func (s *countingStore) ComplaintCount(_ context.Context, caller, _ string, _, _ time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queries[caller]++
	return s.counts[caller], nil
}

// A disposition drops only its own caller's cached count: the other
// caller's next call costs no query, this caller's sees the new count.
func TestDispositionInvalidatesOnlyItsCaller(t *testing.T) {
	db := &countingStore{counts: map[string]int{"555": 1, "777": 4}, queries: map[string]int{}}
	clk := testclock.At(time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC))
	cr := &Service{deps: Deps{Clock: clk, Store: db}, loc: time.UTC, lookupTimeout: time.Second,
		complaints: newComplaintCache(time.Minute, 100)}
	count := func(caller string) int {
		t.Helper()
		n, err := cr.complaintsOf(caller, "complaint")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	count("555")
	count("777")
	cr.complaints.HandleEvent(call.Event{Kind: call.Queued, CallID: "a", Caller: "555", Queue: "general"})
	cr.complaints.HandleEvent(call.Event{Kind: call.Queued, CallID: "b", Caller: "777", Queue: "general"})
	db.mu.Lock()
	db.counts["555"] = 2 // the agent files a complaint for call a
	db.mu.Unlock()
	cr.complaints.HandleEvent(call.Event{Kind: call.DispositionSet, CallID: "a", Queue: "general", Category: "complaint"})

	clk.Advance(10 * time.Second)
	if n := count("777"); n != 4 || db.queries["777"] != 1 {
		t.Errorf("other caller: count %d after %d queries; want 4 from the cache (1 query)", n, db.queries["777"])
	}
	if n := count("555"); n != 2 || db.queries["555"] != 2 {
		t.Errorf("disposed caller: count %d after %d queries; want the new 2 (2 queries)", n, db.queries["555"])
	}
}
