package acdburst

import (
	"testing"
	"time"
)

// BenchmarkBurst500Into200Agents is the scenario: 500 calls arrive
// within one second into a queue with 200 available agents. 200 calls can
// connect at once and 300 must wait in the queue; the target is that the
// 200 connect within 2 s of arrival and that the 300 are queued, not
// failed. Run it with -benchtime 1x: every iteration is a full set-up.
func BenchmarkBurst500Into200Agents(b *testing.B) {
	plan := burstPlan{
		Agents: 200, Calls: 500, Over: time.Second,
		CallersPerPhone: *callersPerPhone, Settle: 20 * time.Second,
	}
	for range b.N {
		out := runBurst(b, plan)
		b.Logf("%d agents, %d calls over %v, %d calls per caller phone:\n%s",
			plan.Agents, plan.Calls, plan.Over, plan.CallersPerPhone, out)
		out.report(b)
	}
}

// TestSmallBurst runs the same harness at a size any machine carries:
// every agent connects exactly one call, every other call waits in the
// queue, none fails.
func TestSmallBurst(t *testing.T) {
	plan := burstPlan{Agents: 4, Calls: 7, Over: 100 * time.Millisecond, CallersPerPhone: 3, Settle: 20 * time.Second}
	out := runBurst(t, plan)
	t.Log(out)
	if out.Failed != 0 || out.Untraced != 0 {
		t.Errorf("failed %d %v, untraced %d; want none", out.Failed, out.failureList(), out.Untraced)
	}
	if out.Connected.Count != plan.Agents {
		t.Errorf("connected %d, want one call per agent (%d)", out.Connected.Count, plan.Agents)
	}
	if want := plan.Calls - plan.Agents; out.Waiting != want {
		t.Errorf("%d calls waiting in the queue, want %d", out.Waiting, want)
	}
	if out.FromInvite.Max < out.Connected.Max {
		t.Errorf("INVITE→answered %v shorter than arrival→answered %v", out.FromInvite.Max, out.Connected.Max)
	}
}
