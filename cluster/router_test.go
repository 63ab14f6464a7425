package cluster

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func newTestRouter(t testing.TB, agents ...string) (*Router, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)}
	q := acd.DefaultQueue("billing")
	q.WrapUp = 10 * time.Second
	cfg := acd.Config{Queues: []acd.QueueConfig{q}}
	for _, id := range agents {
		cfg.Agents = append(cfg.Agents, acd.AgentConfig{ID: id, Queues: []string{"billing"}})
	}
	a, err := acd.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	return NewRouter(a), clock
}

func kinds(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Kind)+"@"+d.Node)
	}
	return out
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
	r, clock := newTestRouter(t, "2001")
	apply(t, r, 1, Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"})
	ds := apply(t, r, 2, Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"})
	if len(ds) == 0 || ds[len(ds)-1].Kind != DecOffer || ds[len(ds)-1].Node != "n1" || ds[len(ds)-1].Agents[0] != "2001" {
		t.Fatalf("join: %v", kinds(ds))
	}
	if ds[0].Seq != 2 {
		t.Fatalf("decisions do not name their command: %+v", ds[0])
	}
	ds = apply(t, r, 3, Command{Node: "n1", Kind: CmdOfferResult, Call: "c1", Agent: "2001", Result: "answered"})
	if len(ds) != 1 || ds[0].Kind != DecConnect || ds[0].Node != "n1" {
		t.Fatalf("answered: %v", kinds(ds))
	}
	clock.t = clock.t.Add(time.Minute)
	ds = apply(t, r, 4, Command{Node: "n1", Kind: CmdTalkEnded, Call: "c1", Reason: "caller"})
	if len(ds) != 1 || ds[0].Kind != DecWrapup || ds[0].Node != "n2" || ds[0].UntilMS != clock.t.Add(10*time.Second).UnixMilli() {
		t.Fatalf("talk ended: %v %+v", kinds(ds), ds)
	}
	// A replayed command is not applied twice.
	if ds, err := r.Apply(4, Command{Node: "n1", Kind: CmdTalkEnded, Call: "c1", Reason: "caller"}); err != nil || len(ds) != 0 || r.Applied() != 4 {
		t.Fatalf("replay: %v %v", kinds(ds), err)
	}
	// A command the ACD refuses is an error and changes nothing.
	if _, err := r.Apply(5, Command{Node: "n1", Kind: CmdAbandon, Call: "nope"}); err == nil {
		t.Fatal("abandon of an unknown call accepted")
	}
	if _, err := r.Apply(6, Command{Node: "n1", Kind: CmdJoin, Call: "c2", Queue: "nope"}); err == nil || r.callNode["c2"] != "" {
		t.Fatalf("join of an unknown queue: %v, node %q", err, r.callNode["c2"])
	}
	if len(r.callNode) != 0 {
		t.Fatalf("calls left behind: %v", r.callNode)
	}
}

func TestRouterTimersMakeDecisions(t *testing.T) {
	r, clock := newTestRouter(t, "2001")
	apply(t, r, 1, Command{Node: "n2", Kind: CmdAgent, Agent: "2001", Action: "login"})
	apply(t, r, 2, Command{Node: "n1", Kind: CmdJoin, Call: "c1", Queue: "billing"})
	// Nobody answers: the ring timeout withdraws the offer and offers again.
	clock.t = clock.t.Add(time.Minute)
	ds := r.Tick()
	found := false
	for _, d := range ds {
		found = found || (d.Kind == DecCancelOffer && d.Node == "n1")
	}
	if !found {
		t.Fatalf("ring timeout: %v", kinds(ds))
	}
}
