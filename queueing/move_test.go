package queueing

import (
	"testing"
	"time"

	"github.com/hotline-oss/hotline/acd"
)

// A waiting caller moved by a supervisor gets an Overflow to the other
// queue in their mailbox; Waiting lists callers but not agents' own
// queues.
func TestMoveCallDeliversTheOverflowAndWaitingListsCallers(t *testing.T) {
	personal := personalQueuePrefix + "1001"
	cfg := acd.Config{
		Queues: []acd.QueueConfig{acd.DefaultQueue("general"), acd.DefaultQueue("billing"), acd.DefaultQueue(personal)},
		Agents: []acd.AgentConfig{{ID: "1001", WorkNumber: "1001", Queues: []string{"general", personal}}},
	}
	clock := fakeClock{time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	a, err := acd.New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	rt := New[*fakeLeg](a, map[string]Settings{}, Deps[*fakeLeg]{
		Dialer: &fakeDialer{dialed: make(chan string, 4)}, Phones: phones{}, Clock: clock,
	})
	t.Cleanup(rt.Close)
	m := rt.Join("c1", "13800000001")
	defer rt.Leave("c1")
	if err := rt.Do(Enqueue{Call: "c1", Queue: "general", Caller: "13800000001"}); err != nil {
		t.Fatal(err)
	}
	rt.Join("c2", "13800000002")
	defer rt.Leave("c2")
	if err := rt.Do(Enqueue{Call: "c2", Queue: personal, Caller: "13800000002"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := next(t, m).(acd.Queued); !ok {
		t.Fatal("no Queued first")
	}
	w := rt.Waiting()
	if len(w) != 1 || w[0].CallID != "c1" || w[0].Queue != "general" || w[0].Caller != "13800000001" {
		t.Fatalf("waiting %+v: the personal queue's caller is not the floor's", w)
	}
	if err := rt.Do(MoveCall{Call: "c1", To: "billing"}); err != nil {
		t.Fatal(err)
	}
	if o, ok := next(t, m).(acd.Overflow); !ok || o.Target != "queue:billing" {
		t.Fatalf("after the move: %+v", o)
	}
	if len(rt.Waiting()) != 0 {
		t.Fatalf("still waiting: %+v", rt.Waiting())
	}
}
