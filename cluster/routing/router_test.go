package routing

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

var routerEpoch = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

func routerConfig(agents ...string) acd.Config {
	q := acd.DefaultQueue("billing")
	q.WrapUp = 10 * time.Second
	cfg := acd.Config{Queues: []acd.QueueConfig{q}}
	for _, id := range agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: id, Queues: []string{"billing"}})
	}
	return cfg
}

func newTestRouter(t testing.TB, agents ...string) *Router {
	t.Helper()
	r, err := NewRouter(routerConfig(agents...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func kinds(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Kind)+"@"+d.Node)
	}
	return out
}

// at stamps a command with a time after the test's epoch.
func at(c Command, after time.Duration) Command {
	c.At = routerEpoch.Add(after).UnixMilli()
	return c
}

func apply(t *testing.T, r *Router, seq uint64, c Command) []Decision {
	t.Helper()
	ds, err := r.Apply(seq, c)
	if err != nil {
		t.Fatalf("seq %d %+v: %v", seq, c, err)
	}
	return ds
}

// TestRouterAddressesDecisionsToTheRightNodes: a caller on n1, an agent
// acting through n2: offers and the bridge go to n1, the wrap-up to n2.
func TestRouterAddressesDecisionsToTheRightNodes(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	ds := apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"}, time.Second))
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Node != "n1" || ds[len(ds)-1].Agents[0] != "2001" {
		t.Fatalf("join: %v", kinds(ds))
	}
	if ds[0].Seq != 2 {
		t.Fatalf("decisions do not name their command: %+v", ds[0])
	}
	ds = apply(t, r, 3, at(Command{Node: "n1", Kind: CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"}, 2*time.Second))
	if len(ds) != 1 || ds[0].Kind != DecConnect || ds[0].Node != "n1" {
		t.Fatalf("answered: %v", kinds(ds))
	}
	apply(t, r, 31, at(Command{Node: "n1", Kind: CmdHold, Call: "c1", Held: true}, 3*time.Second))
	apply(t, r, 32, at(Command{Node: "n1", Kind: CmdHold, Call: "c1"}, 4*time.Second))
	ds = apply(t, r, 40, at(Command{Node: "n1", Kind: CmdTalkEnded, Call: "c1", Reason: "caller"}, time.Minute))
	if len(ds) != 1 || ds[0].Kind != DecWrapup || ds[0].Node != "n2" || ds[0].UntilMS != routerEpoch.Add(time.Minute+10*time.Second).UnixMilli() {
		t.Fatalf("talk ended: %v %+v", kinds(ds), ds)
	}
	// A replayed command is not applied twice.
	if ds, err := r.Apply(40, at(Command{Node: "n1", Kind: CmdTalkEnded, Call: "c1", Reason: "caller"}, time.Minute)); err != nil || len(ds) != 0 || r.Applied() != 40 {
		t.Fatalf("replay: %v %v", kinds(ds), err)
	}
	// A command the ACD refuses is an error and changes nothing.
	if _, err := r.Apply(50, at(Command{Node: "n1", Kind: CmdAbandon, Call: "nope"}, time.Minute)); err == nil {
		t.Fatal("abandon of an unknown call accepted")
	}
	if _, err := r.Apply(60, at(Command{Node: "n1", Kind: CmdJoin, Call: "c2", Queue: "nope"}, time.Minute)); err == nil || r.callNode["c2"] != "" {
		t.Fatalf("join of an unknown queue: %v, node %q", err, r.callNode["c2"])
	}
	if len(r.callNode) != 0 {
		t.Fatalf("calls left behind: %v", r.callNode)
	}
}

func TestRouterTicksComeThroughTheStream(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"}, 0))
	due, ok := r.NextDeadline()
	if !ok {
		t.Fatal("no ring timeout armed")
	}
	// Nobody answers: the tick at the deadline withdraws the offer.
	ds := apply(t, r, 3, Command{Node: "leader", Kind: CmdTick, At: due.UnixMilli()})
	found := false
	for _, d := range ds {
		found = found || (d.Kind == DecCancelOffer && d.Node == "n1")
	}
	if !found {
		t.Fatalf("ring timeout: %v", kinds(ds))
	}
}

// TestRouterReplayGivesTheSameDecisions: the same commands on a fresh
// router (a node taking over by replaying the stream) give the same
// decisions and state, whatever the wall clock, and a command stamped a
// little in the past (another node's clock) does not move time back.
func TestRouterReplayGivesTheSameDecisions(t *testing.T) {
	var cmds []Command
	for i := range 4 {
		cmds = append(cmds, at(Command{Node: "n2", Kind: CmdAgent, Agent: fmt.Sprint(2001 + i), Action: "login"}, time.Duration(i)*time.Second))
	}
	for i := range 12 {
		cmds = append(cmds, at(Command{Node: fmt.Sprintf("n%d", 1+i%3), Kind: CmdJoin, Call: fmt.Sprintf("c%d", i), Queue: "billing"}, time.Duration(10+i)*time.Second))
	}
	cmds = append(cmds, at(Command{Node: "n1", Kind: CmdOfferResult, Call: "c0", Agent: "2001", Result: "busy"}, 30*time.Second))
	cmds = append(cmds, at(Command{Node: "n1", Kind: CmdAbandon, Call: "c5"}, 29*time.Second)) // a slow clock
	cmds = append(cmds, Command{Node: "l", Kind: CmdTick, At: routerEpoch.Add(2 * time.Minute).UnixMilli()})
	run := func() ([][]Decision, []acd.QueueStats) {
		r := newTestRouter(t, "2001", "2002", "2003", "2004")
		var out [][]Decision
		for i, c := range cmds {
			ds, _ := r.Apply(uint64(i+1), c)
			out = append(out, ds)
		}
		return out, r.acd.Queues()
	}
	d1, q1 := run()
	d2, q2 := run()
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(q1, q2) {
		t.Fatalf("a replay decided otherwise:\n%v\n%v", d1, d2)
	}
}

// TestRouterJoinPreferringWaitsForTheStickyAgent: a join naming an agent
// waits for that agent during the grace, even with another one free.
func TestRouterJoinPreferringWaitsForTheStickyAgent(t *testing.T) {
	r := newTestRouter(t, "2001", "2002")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "login"}, 0))
	apply(t, r, 3, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "pause", Reason: "lunch"}, 0))
	ds := apply(t, r, 4, at(Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing", Prefer: "2002", GraceMS: 30000}, time.Second))
	for _, d := range ds {
		if d.Kind == DecOffer {
			t.Fatalf("offered during the grace for 2002: %+v", d)
		}
	}
	ds = apply(t, r, 5, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "ready"}, 2*time.Second))
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Agents[0] != "2002" {
		t.Fatalf("2002 back: %v", kinds(ds))
	}
}

func TestCommandChecks(t *testing.T) {
	good := Command{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdJoin, Call: "c", Queue: "q"}
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Command{
		{V: WireVersion, ID: "x", Node: "n1", Kind: CmdJoin, Call: "c", Queue: "q"},                    // no time
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdJoin, Call: "c", Queue: "q", GraceMS: 5}, // grace without agent
		{V: WireVersion, ID: "x", Node: "n.1", At: 1, Kind: CmdAbandon, Call: "c"},                     // node not a token
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdTalkEnded, Call: "c", Reason: "nobody"},
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdHold},
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdTransfer, Call: "c", Action: "blind"},                   // no target
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdTransfer, Call: "c", Action: "warm", Target: "queue:q"}, // unknown kind
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdConsult, Agent: "a", Consult: "k", Action: "maybe"},
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdAttended, Call: "c", Agent: "a"},                        // no consult
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdDisposition, Agent: "a"},                                // no category
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdCallback, Callback: "cb", Action: "request", Call: "c"}, // no number
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdCallback, Callback: "cb", Action: "later"},
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdCallback, Action: "drop"},                   // no id
		{V: WireVersion, ID: "x", Node: "n1", At: 1, Kind: CmdCallback, Callback: "cb", Action: "failed"}, // no outcome
	} {
		if err := bad.Check(); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// TestRouterNodeGoneEndsItsCalls: a dead node's waiting caller leaves the
// queue and its connected call ends (the agent to wrap-up); the other
// node's caller is untouched and gets the next free agent.
func TestRouterNodeGoneEndsItsCalls(t *testing.T) {
	r := newTestRouter(t, "2001")
	apply(t, r, 1, at(Command{Node: "n3", Kind: CmdAgent, Agent: "2001", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n1", Kind: CmdJoin, Call: "a", Queue: "billing"}, time.Second))
	apply(t, r, 3, at(Command{Node: "n1", Kind: CmdOfferResult, Call: "a", Agent: "2001", Result: "answered"}, 2*time.Second))
	apply(t, r, 4, at(Command{Node: "n1", Kind: CmdJoin, Call: "b", Queue: "billing"}, 3*time.Second))
	apply(t, r, 5, at(Command{Node: "n2", Kind: CmdJoin, Call: "c", Queue: "billing"}, 4*time.Second))
	if got := r.Nodes(); len(got) != 3 {
		t.Fatalf("nodes %v", got)
	}
	ds := apply(t, r, 6, at(Command{Node: "l", Kind: CmdNodeGone, Gone: "n1"}, 5*time.Second))
	wrapup := false
	for _, d := range ds {
		wrapup = wrapup || (d.Kind == DecWrapup && d.Node == "n3")
	}
	if !wrapup {
		t.Fatalf("the agent of the dead node's call is not in wrap-up: %v", kinds(ds))
	}
	if _, err := r.acd.Call("b"); err == nil {
		t.Fatal("the dead node's waiting caller is still queued")
	}
	ds = apply(t, r, 7, at(Command{Node: "n3", Kind: CmdAgent, Agent: "2001", Action: "ready"}, 6*time.Second))
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Call != "c" || ds[len(ds)-1].Node != "n2" {
		t.Fatalf("the live node's caller was not offered next: %v", kinds(ds))
	}
}

func TestRouterReportsAgentsWhoseStateChanged(t *testing.T) {
	r := newTestRouter(t, "2001", "2002")
	apply(t, r, 1, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "login"}, 0))
	apply(t, r, 2, at(Command{Node: "n2", Kind: CmdAgent, Agent: "2002", Action: "pause", Reason: "lunch"}, time.Second))
	got := r.Changed()
	if len(got) != 1 || got[0].ID != "2002" || got[0].State != acd.Paused || got[0].Reason != "lunch" {
		t.Fatalf("changed %+v", got)
	}
	apply(t, r, 3, at(Command{Node: "n1", Kind: CmdJoin, Call: "c", Queue: "billing"}, 2*time.Second))
	if got := r.Changed(); len(got) != 0 {
		t.Fatalf("nobody changed, got %+v", got)
	}
}
