package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/hotline-oss/hotline/internal/testphone"
)

// The feature codes agents dial (the configuration's defaults).
const (
	featureLogin  = "*21"
	featureLogout = "*22"
)

// agent is an agent's softphone registered straight at one node.
type agent struct {
	id    string
	node  *node
	phone *testphone.Phone
}

// loginAgent registers the agent's phone at n and logs the agent in with
// the feature code.
func (c *cluster) loginAgent(t *testing.T, id string, n *node) *agent {
	t.Helper()
	p := phone(t, n.sipAddr(), id, "pw"+id)
	if err := p.Register(ctxFor(t, 5*time.Second), "pw"+id, time.Hour); err != nil {
		t.Fatalf("register %s at %s: %v", id, n.id, err)
	}
	p.SetAnswerMode(testphone.AutoAnswer)
	c.waitShared(t, id)
	a := &agent{id: id, node: n, phone: p}
	a.feature(t, featureLogin)
	return a
}

// feature dials a feature code at the agent's node and waits for the
// spoken confirmation and the node's hang-up.
func (a *agent) feature(t *testing.T, code string) {
	t.Helper()
	call, err := a.phone.Call(ctxFor(t, 5*time.Second), code)
	if err != nil {
		t.Fatalf("agent %s: feature %s: %v", a.id, code, err)
	}
	select {
	case <-call.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("agent %s: feature %s: no hang-up after the confirmation", a.id, code)
	}
}

// waitAgents waits until every live node shows at least want agents of
// queue general in state.
func (c *cluster) waitAgents(t *testing.T, state string, want float64) {
	t.Helper()
	waitFor(t, 10*time.Second, fmt.Sprintf("%v agent(s) %s on every node", want, state), func() bool {
		for _, n := range c.live() {
			if v, _ := n.metric("hotline_agents", "queue", "general", "state", state); v < want {
				return false
			}
		}
		return true
	})
}

// waiting is the cluster's callers waiting in general, as one node sees it.
func waiting(n *node) float64 {
	v, _ := n.metric("hotline_queue_waiting_calls", "queue", "general")
	return v
}

func (c *cluster) live() []*node {
	var out []*node
	for _, n := range c.nodes {
		if n.proc != nil && !n.proc.Exited() {
			out = append(out, n)
		}
	}
	return out
}

// dial places a call from a caller's phone (its own number) to server.
func dial(t *testing.T, server, caller, number string) (*testphone.Call, error) {
	t.Helper()
	return phone(t, server, caller, "").Call(ctxFor(t, 10*time.Second), number)
}

var sdpAddress = regexp.MustCompile(`c=IN IP4 ([0-9.]+)`)

// nodeOf is the node whose address the call's media comes from.
func (c *cluster) nodeOf(t *testing.T, call *testphone.Call) *node {
	t.Helper()
	m := sdpAddress.FindStringSubmatch(call.RemoteSDP())
	if m == nil {
		t.Fatalf("no media address in the answer:\n%s", call.RemoteSDP())
	}
	for _, n := range c.nodes {
		if n.ip == m[1] {
			return n
		}
	}
	t.Fatalf("media from %s, which is no node", m[1])
	return nil
}

// heard waits until c has received n more frames of audio.
func heard(t *testing.T, c *testphone.Call, n int, what string) {
	t.Helper()
	want := c.Received().NonSilentFrames + n
	if err := c.WaitAudio(ctxFor(t, 10*time.Second), want); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// hearEachOther has the caller and the agent's leg send tones and waits
// until each hears the other.
func hearEachOther(t *testing.T, caller, leg *testphone.Call) {
	t.Helper()
	_ = caller.WaitSilenceAfterAudio(ctxFor(t, 5*time.Second), 300*time.Millisecond)
	caller.SendTone(500)
	leg.SendTone(1300)
	heard(t, leg, 25, "the agent hears the caller")
	heard(t, caller, 25, "the caller hears the agent")
}

func waitIncoming(t *testing.T, a *agent) *testphone.Call {
	t.Helper()
	select {
	case c := <-a.phone.Incoming():
		return c
	case <-time.After(15 * time.Second):
		t.Fatalf("agent %s's phone never rang", a.id)
	}
	return nil
}

// hangUp ends the call from the agent's side and waits until the caller
// is released.
func hangUp(t *testing.T, caller, leg *testphone.Call) {
	t.Helper()
	// Read before the BYE: the phone is done with the call once it sent one.
	legEnded, callerEnded := isDone(leg.Done()), isDone(caller.Done())
	if err := leg.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("the agent hangs up the call from %s: %v (before the BYE, the node had ended the leg: %v; the caller's call: %v)",
			leg.RemoteUser(), err, legEnded, callerEnded)
	}
	select {
	case <-caller.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the caller was not released after the agent hung up")
	}
}

// refusedWith is the status code of a call refused with a final answer.
func refusedWith(err error) int {
	var status *testphone.StatusError
	if errors.As(err, &status) {
		return status.Code
	}
	return 0
}

// callerOn is a waiting caller and the node it called.
type callerOn struct {
	call *testphone.Call
	node *node
}

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// waitShared waits until the cluster's shared registrations (the NATS
// bucket every node dials agents from) hold a phone of the agent: a node
// shares a phone's registration in the background after answering it.
func (c *cluster) waitShared(t *testing.T, agentID string) {
	t.Helper()
	nc, err := nats.Connect(c.nats.URL())
	if err != nil {
		t.Fatalf("nats: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "agent "+agentID+"'s phone in the shared registrations", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		kv, err := js.KeyValue(ctx, c.prefix+"_registrations")
		if err != nil {
			return false
		}
		keys, err := kv.ListKeys(ctx)
		if err != nil {
			return false
		}
		for key := range keys.Keys() {
			e, err := kv.Get(ctx, key)
			if err != nil {
				continue
			}
			var reg struct {
				Agent string `json:"agent"`
			}
			if json.Unmarshal(e.Value(), &reg) == nil && reg.Agent == agentID {
				return true
			}
		}
		return false
	})
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
