package acd

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd/sticky"
	"github.com/hotline-oss/hotline/call"
)

// stickyHarness is a harness that also records sticky outcomes.
func stickyHarness(t *testing.T, cfg Config) (*harness, *[]StickyOutcome) {
	t.Helper()
	var outcomes []StickyOutcome
	h := newHarness(t, cfg, WithStickyObserver(func(o StickyOutcome) { outcomes = append(outcomes, o) }))
	return h, &outcomes
}

func results(outcomes []StickyOutcome) []string {
	var out []string
	for _, o := range outcomes {
		out = append(out, o.CallID+":"+o.Agent+":"+o.Result)
	}
	return out
}

func TestStickyAvailableAgentWinsOverLongerIdle(t *testing.T) {
	h, outcomes := stickyHarness(t, team(quietQueue("q"), 3))
	h.login("1001") // idle longest: longest-idle would pick it
	h.clock.t = h.clock.t.Add(time.Minute)
	h.login("1002", "1003")
	h.clock.t = h.clock.t.Add(time.Minute)

	acts := h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1003", 20*time.Second))
	if got := offeredTo(t, acts); got != "1003" {
		t.Fatalf("offered to %s, want the preferred 1003", got)
	}
	if e := h.lastEvent(call.AgentOffered); e.Reason != sticky.ReasonSticky || e.Agent != "1003" {
		t.Fatalf("offer event %+v, want reason sticky to 1003", e)
	}
	if want := []string{"c1:1003:hit"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v, want %v", results(*outcomes), want)
	}
	// A caller without a preference still gets the strategy's choice.
	if got := offeredTo(t, h.ok(h.acd.Enqueue("c2", "q", "556", 0))); got != "1001" {
		t.Fatalf("plain call offered to %s, want longest idle 1001", got)
	}
}

// busyTeam has 1001 and 1002 logged in and 1001 talking on call c0.
func busyTeam(t *testing.T) (*harness, *[]StickyOutcome) {
	h, outcomes := stickyHarness(t, team(quietQueue("q"), 2))
	h.login("1001")
	h.clock.t = h.clock.t.Add(time.Second)
	acts := h.ok(h.acd.Enqueue("c0", "q", "500", 0))
	h.serveNext(acts, "1001")
	return h, outcomes
}

func TestStickyWaitDoesNotBlockOthers(t *testing.T) {
	h, outcomes := busyTeam(t)
	// c1 wants 1001, who is busy; c2 arrives behind it with no preference.
	noOffer(t, h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", 20*time.Second)))
	h.ok(h.acd.Enqueue("c2", "q", "556", 0))
	if pos, _ := h.acd.Position("c1"); pos != 1 {
		t.Fatalf("parked caller lost its place: position %d", pos)
	}
	// 1002 logs in: it takes c2 although c1 arrived first, since c1 waits
	// for its own agent.
	acts := h.login("1002")
	if os := offers(acts); len(os) != 1 || os[0].CallID != "c2" || os[0].AgentIDs[0] != "1002" {
		t.Fatalf("want c2 offered to 1002, got %+v", acts)
	}
	// 1001 hangs up within grace and gets c1 at once.
	acts = h.ok(h.acd.TalkEnded("c0", call.HangupByCaller))
	if os := offers(acts); len(os) != 1 || os[0].CallID != "c1" || os[0].AgentIDs[0] != "1001" {
		t.Fatalf("want c1 offered to 1001, got %+v", acts)
	}
	if want := []string{"c1:1001:hit"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v, want %v", results(*outcomes), want)
	}
	if h.acd.StickyWaiting() != 0 {
		t.Fatal("call still parked after its offer")
	}
}

func TestStickyGraceExpiresToStrategy(t *testing.T) {
	h, outcomes := busyTeam(t)
	h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", 20*time.Second))
	h.ok(h.acd.AgentLogin("1002"))
	h.ok(h.acd.AgentPause("1002", "break"))
	noOffer(t, h.ok(h.acd.AgentReady("1002")))

	if d, ok := h.acd.NextDeadline(); !ok || !d.Equal(h.clock.t.Add(20*time.Second)) {
		t.Fatalf("next deadline %v %v, want the grace end", d, ok)
	}
	noOffer(t, h.advance(19*time.Second))
	acts := h.advance(time.Second)
	if os := offers(acts); len(os) != 1 || os[0].CallID != "c1" || os[0].AgentIDs[0] != "1002" {
		t.Fatalf("after grace want c1 offered to 1002, got %+v", acts)
	}
	if e := h.lastEvent(call.AgentOffered); e.Reason != "" {
		t.Fatalf("strategy offer marked %q", e.Reason)
	}
	if want := []string{"c1:1001:expired"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v, want %v", results(*outcomes), want)
	}
}

func TestStickyAgentLogsOutReleasesAtOnce(t *testing.T) {
	h, outcomes := stickyHarness(t, team(quietQueue("q"), 2))
	h.login("1001", "1002")
	h.ok(h.acd.AgentPause("1001", "lunch"))
	h.ok(h.acd.AgentPause("1002", "lunch"))
	h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", time.Minute))
	h.ok(h.acd.AgentReady("1002"))
	if h.acd.StickyWaiting() != 1 {
		t.Fatal("call not parked for paused 1001")
	}
	h.ok(h.acd.AgentPause("1002", "lunch"))
	h.ok(h.acd.AgentLogout("1001"))
	if h.acd.StickyWaiting() != 0 {
		t.Fatal("call still parked for a logged-out agent")
	}
	if want := []string{"c1:1001:miss"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v, want %v", results(*outcomes), want)
	}
	if _, ok := h.acd.NextDeadline(); ok {
		t.Fatal("grace timer left armed")
	}
	if got := offeredTo(t, h.ok(h.acd.AgentReady("1002"))); got != "1002" {
		t.Fatalf("released call offered to %s", got)
	}
}

func TestStickyMissWhenLoggedOutOrUnknown(t *testing.T) {
	h, outcomes := stickyHarness(t, team(quietQueue("q"), 2))
	h.login("1002")
	if got := offeredTo(t, h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", time.Minute))); got != "1002" {
		t.Fatalf("offered to %s, want 1002 (1001 logged out)", got)
	}
	h.ok(h.acd.OfferAnswered("c1", "1002"))
	h.ok(h.acd.Enqueue("c9", "q", "", 0)) // keeps 1002's queue busy
	h.ok(h.acd.EnqueuePreferring("c2", "q", "556", 0, "9999", time.Minute))
	if want := []string{"c1:1001:miss", "c2:9999:miss"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v, want %v", results(*outcomes), want)
	}
	if h.acd.StickyWaiting() != 0 {
		t.Fatal("a miss was parked")
	}
	_, err := h.acd.EnqueuePreferring("c3", "q", "", 0, "", time.Minute)
	wantErr(t, err, ErrBadArgument)
	_, err = h.acd.EnqueuePreferring("c3", "q", "", 0, "1001", 0)
	wantErr(t, err, ErrBadArgument)
}

func TestStickyNonMemberAgentIsOffered(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{quietQueue("q"), quietQueue("other")}}
	cfg.Agents = []AgentConfig{
		{ID: "1001", Queues: []string{"q"}},
		{ID: "1002", Queues: []string{"other"}},
	}
	h, _ := stickyHarness(t, cfg)
	h.login("1001", "1002")
	acts := h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1002", time.Minute))
	if got := offeredTo(t, acts); got != "1002" {
		t.Fatalf("offered to %s, want the owner 1002 outside the queue", got)
	}
	h.ok(h.acd.OfferAnswered("c1", "1002"))
	h.ok(h.acd.TalkEnded("c1", call.HangupByAgent))
	h.wantState("1002", Available)
}

func TestStickyNoAnswerFallsBackToStrategy(t *testing.T) {
	h, outcomes := stickyHarness(t, team(quietQueue("q"), 2))
	h.login("1001", "1002")
	acts := h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1002", time.Minute))
	if got := offeredTo(t, acts); got != "1002" {
		t.Fatalf("offered to %s", got)
	}
	acts = h.ok(h.acd.OfferFailed("c1", "1002", FailDeclined))
	if got := offeredTo(t, acts); got != "1001" {
		t.Fatalf("after the owner declined offered to %s, want 1001", got)
	}
	if want := []string{"c1:1002:hit"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v", results(*outcomes))
	}
}

func TestStickyParkedCallAbandonsCleanly(t *testing.T) {
	h, outcomes := busyTeam(t)
	h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", time.Minute))
	h.ok(h.acd.Abandon("c1"))
	if h.acd.StickyWaiting() != 0 {
		t.Fatal("abandoned call still parked")
	}
	if _, ok := h.acd.NextDeadline(); ok {
		t.Fatal("grace timer left armed after abandon")
	}
	if len(*outcomes) != 0 {
		t.Fatalf("outcomes %v for an abandoned call", results(*outcomes))
	}
	// The agent's next availability routes nothing stale.
	noOffer(t, h.ok(h.acd.TalkEnded("c0", call.HangupByCaller)))
}

func TestStickyOldestParkedCallFirst(t *testing.T) {
	h, outcomes := busyTeam(t)
	h.ok(h.acd.EnqueuePreferring("c1", "q", "555", 0, "1001", time.Minute))
	h.clock.t = h.clock.t.Add(time.Second)
	h.ok(h.acd.EnqueuePreferring("c2", "q", "556", 5, "1001", time.Minute))
	h.clock.t = h.clock.t.Add(time.Second)
	h.ok(h.acd.EnqueuePreferring("c3", "q", "557", 0, "1001", time.Minute))
	acts := h.ok(h.acd.TalkEnded("c0", call.HangupByCaller))
	if os := offers(acts); len(os) != 1 || os[0].CallID != "c2" {
		t.Fatalf("want the higher-priority c2 first, got %+v", acts)
	}
	h.ok(h.acd.OfferAnswered("c2", "1001"))
	acts = h.ok(h.acd.TalkEnded("c2", call.HangupByCaller))
	if os := offers(acts); len(os) != 1 || os[0].CallID != "c1" {
		t.Fatalf("want c1 next, got %+v", acts)
	}
	if want := []string{"c2:1001:hit", "c1:1001:hit"}; !slices.Equal(results(*outcomes), want) {
		t.Fatalf("outcomes %v", results(*outcomes))
	}
}

func noOffer(t *testing.T, acts []Action) {
	t.Helper()
	if os := offers(acts); len(os) != 0 {
		t.Fatalf("want no offer, got %+v", os)
	}
}

// BenchmarkStickyParked measures a plain call's enqueue and abandon while
// many callers wait for their own busy agents: every routing pass scans
// the parked calls.
func BenchmarkStickyParked(b *testing.B) {
	for _, parked := range []int{0, 100, 1000} {
		b.Run(fmt.Sprint("parked-", parked), func(b *testing.B) {
			h := newHarness(b, team(quietQueue("q"), 50))
			for i := range 50 {
				id := fmt.Sprint(1001 + i)
				h.ok(h.acd.AgentLogin(id))
				acts := h.ok(h.acd.Enqueue("busy-"+id, "q", "", 0))
				h.ok(h.acd.OfferAnswered("busy-"+id, offeredTo(b, acts)))
			}
			for i := range parked {
				h.ok(h.acd.EnqueuePreferring(fmt.Sprint("p", i), "q", "", 0, fmt.Sprint(1001+i%50), time.Hour))
			}
			if h.acd.StickyWaiting() != parked {
				b.Fatalf("%d parked, want %d", h.acd.StickyWaiting(), parked)
			}
			h.events = nil
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.ok(h.acd.Enqueue("plain", "q", "", 0))
				h.ok(h.acd.Abandon("plain"))
				h.events = h.events[:0]
			}
		})
	}
}
