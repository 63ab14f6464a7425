package webadapt

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

func TestCallTrackerFollowsACallIntoWrapup(t *testing.T) {
	tr := NewCallTracker()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ev := func(k call.Kind, sec int, f func(*call.Event)) {
		e := call.Event{Kind: k, CallID: "c1", Caller: "13800000001", Number: "95598", Time: t0.Add(time.Duration(sec) * time.Second)}
		if f != nil {
			f(&e)
		}
		tr.HandleEvent(e)
	}
	ev(call.CallArrived, 0, nil)
	ev(call.IVRNodeEntered, 1, func(e *call.Event) { e.Node = "menu" })
	ev(call.LanguageChanged, 2, func(e *call.Event) { e.Language = "zh" })
	ev(call.IVRNodeEntered, 3, func(e *call.Event) { e.Node = "account" })
	tr.SetVars("c1", map[string]string{"account": "1234567890"})
	ev(call.IVRNodeEntered, 9, func(e *call.Event) { e.Node = "general" })
	ev(call.Queued, 9, func(e *call.Event) { e.Queue = "general" })
	if c, ok := tr.forAgent("1001", "c1"); !ok || c.AnsweredAt != nil || c.Caller != "13800000001" {
		t.Fatalf("ringing call: %+v %v", c, ok)
	}
	ev(call.AgentAnswered, 30, func(e *call.Event) { e.Agent, e.Queue, e.Wait = "1001", "general", 21*time.Second })
	ev(call.Held, 40, nil)
	c, _ := tr.forAgent("1001", "c1")
	if !c.OnHold || c.WaitSeconds != 21 || !c.AnsweredAt.Equal(t0.Add(30*time.Second)) || c.Language != "zh" {
		t.Errorf("on hold: %+v", c)
	}
	ev(call.Unheld, 50, nil)
	ev(call.TalkEnded, 90, func(e *call.Event) { e.Agent = "1001" })
	ev(call.CallEnded, 90, nil)
	// Ended: gone from the calls in progress, kept as the agent's last.
	if len(tr.calls) != 0 {
		t.Errorf("%d calls left in progress", len(tr.calls))
	}
	ev(call.DispositionSet, 95, func(e *call.Event) { e.Agent, e.Category, e.Resolved = "1001", "billing", true })
	c, ok := tr.forAgent("1001", "c1")
	if !ok || !c.Current || c.OnHold || c.TalkEndedAt == nil || c.Disposition == nil || c.Disposition.Category != "billing" ||
		pathString(c.IVRPath) != "menu>account>general" || c.Vars["account"] != "1234567890" {
		t.Fatalf("wrap-up: %+v", c)
	}
	if last, ok := tr.forAgent("1001", ""); !ok || last.Current || last.CallID != "c1" {
		t.Errorf("last call: %+v %v", last, ok)
	}
	if _, ok := tr.forAgent("1002", ""); ok {
		t.Error("1002 sees a call it never had")
	}
	if _, ok := tr.forAgent("1001", "other"); ok {
		t.Error("unknown call id found")
	}
	// The returned call is a copy: changing it does not change the tracker.
	c.Vars["account"], c.IVRPath[0] = "x", "x"
	if again, _ := tr.forAgent("1001", "c1"); again.Vars["account"] != "1234567890" || again.IVRPath[0] != "menu" {
		t.Error("forAgent shares the tracker's maps")
	}
}

func TestCallTrackerIsBounded(t *testing.T) {
	tr := NewCallTracker()
	for i := range maxTrackedCalls + 5 {
		tr.HandleEvent(call.Event{Kind: call.CallArrived, CallID: fmt.Sprint("c", i)})
	}
	if len(tr.calls) != maxTrackedCalls || tr.skipped != 5 {
		t.Errorf("tracked %d, skipped %d", len(tr.calls), tr.skipped)
	}
	for range maxPathNodes + 10 {
		tr.HandleEvent(call.Event{Kind: call.IVRNodeEntered, CallID: "c0", Node: "loop"})
	}
	vars := map[string]string{}
	for i := range maxVars + 10 {
		vars[fmt.Sprint("v", i)] = "1"
	}
	tr.SetVars("c0", vars)
	c, _ := tr.forAgent("", "c0")
	if len(c.IVRPath) != maxPathNodes || len(c.Vars) != maxVars {
		t.Errorf("path %d nodes, %d vars", len(c.IVRPath), len(c.Vars))
	}
	var nilTracker *CallTracker
	nilTracker.SetVars("c0", vars) // no panic: the panel is off
}

func pathString(p []string) string { return strings.Join(p, ">") }
