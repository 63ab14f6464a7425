package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/cluster/kvstate"
	"github.com/hotline-oss/hotline/cluster/routing"
)

func TestRegistrationsAreSharedAcrossNodes(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	a, b := tc.connect("a", natsURL), tc.connect("b", natsURL)
	ra, rb := registrationsOf(t, a), registrationsOf(t, b)
	exp := time.Now().Add(time.Hour)
	contact := "sip:2001@10.0.0.5:5060;transport=udp"
	if err := ra.Put(ctx, "2001", contact, exp); err != nil {
		t.Fatal(err)
	}
	if err := rb.Put(ctx, "2001", "sip:2001@10.0.0.9:5062", exp); err != nil {
		t.Fatal(err)
	}
	if err := rb.Put(ctx, "2002", "sip:2002@10.0.0.7", time.Now().Add(-time.Second)); err != nil { // expired
		t.Fatal(err)
	}
	got, err := rb.Contacts(ctx, "2001")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("contacts of 2001: %+v", got)
	}
	byNode := map[string]string{}
	for _, g := range got {
		byNode[g.Node] = g.Contact
	}
	if byNode["a"] != contact || byNode["b"] == "" {
		t.Fatalf("contacts by node: %v", byNode)
	}
	if got, _ := ra.Contacts(ctx, "2002"); len(got) != 0 {
		t.Fatalf("an expired registration is listed: %+v", got)
	}
	if got, _ := ra.Contacts(ctx, "20"); len(got) != 0 {
		t.Fatalf("a prefix of an agent id matched: %+v", got)
	}
	ofA, err := rb.OfNode(ctx, "a")
	if err != nil || len(ofA) != 1 || ofA[0].Contact != contact {
		t.Fatalf("registrations of node a: %+v %v", ofA, err)
	}
	if err := ra.Remove(ctx, "2001", contact); err != nil {
		t.Fatal(err)
	}
	if got, _ := rb.Contacts(ctx, "2001"); len(got) != 1 || got[0].Node != "b" {
		t.Fatalf("after removal: %+v", got)
	}
}

func TestBadRegistrationIsSkippedAndCounted(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	a, m := tc.connectWithMetrics("a")
	r := registrationsOf(t, a)
	if err := r.Put(ctx, "2001", "sip:2001@h", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	putRaw(t, a, a.Names.Registrations(), kvstate.RegistrationKey("2001", "sip:x@y"), `{"agent":"2001"`)
	got, err := r.Contacts(ctx, "2001")
	if err != nil || len(got) != 1 {
		t.Fatalf("contacts: %+v %v", got, err)
	}
	wantOneBad(t, m, SubjectRegistrations, "bad registrations")
}

// registrationsOf is c's view of the shared registrations.
func registrationsOf(t *testing.T, c *Conn) *Registrations {
	t.Helper()
	r, err := c.Registrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// putRaw stores value under key in bucket as it is, past the checks of
// the typed writers: what a broken or foreign writer would leave.
func putRaw(t *testing.T, c *Conn, bucket, key, value string) {
	t.Helper()
	ctx := context.Background()
	raw, err := c.JS.KeyValue(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Put(ctx, key, []byte(value)); err != nil {
		t.Fatal(err)
	}
}

// wantOneBad checks that one bad message of subject was counted.
func wantOneBad(t *testing.T, m *Metrics, subject, what string) {
	t.Helper()
	if n := testutil.ToFloat64(m.bad.WithLabelValues(subject)); n != 1 {
		t.Fatalf("%s counted: %v", what, n)
	}
}

func TestPresenceIsFencedByTerm(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	a, m := tc.connectWithMetrics("a")
	ag, err := a.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := ag.Put(ctx, Presence{Agent: "2001", State: "available", Updated: now}, 5); err != nil {
		t.Fatal(err)
	}
	if err := ag.Put(ctx, Presence{Agent: "2001", State: "paused", Reason: "lunch", Updated: now}, 7); err != nil {
		t.Fatal(err)
	}
	// The leader of term 5 was replaced: its late write is refused.
	if err := ag.Put(ctx, Presence{Agent: "2001", State: "logged_out", Updated: now}, 5); !errors.Is(err, routing.ErrStaleTerm) {
		t.Fatalf("stale write: %v", err)
	}
	if err := ag.Put(ctx, Presence{Agent: "2001", State: "dancing"}, 9); err == nil {
		t.Fatal("an unknown state was stored")
	}
	p, ok, err := ag.Get(ctx, "2001")
	if err != nil || !ok || p.State != "paused" || p.Reason != "lunch" || p.Term != 7 {
		t.Fatalf("presence %+v %v %v", p, ok, err)
	}
	if _, ok, _ := ag.Get(ctx, "9999"); ok {
		t.Fatal("an unknown agent has a presence")
	}
	putRaw(t, a, a.Names.Agents(), kvstate.AgentKey("2002"), "{")
	all, err := ag.All(ctx)
	if err != nil || len(all) != 1 || all[0].Agent != "2001" {
		t.Fatalf("all: %+v %v", all, err)
	}
	wantOneBad(t, m, SubjectAgents, "bad presence")
}

// TestFollowedRegistrationsAreReadWithoutARoundTrip: a node following
// the bucket sees another node's registrations come and go through its
// copy, with where the phone registered from, and expired ones are left
// out as in a direct read.
func TestFollowedRegistrationsAreReadWithoutARoundTrip(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := tc.connect("a", natsURL), tc.connect("b", natsURL)
	ra, rb := registrationsOf(t, a), registrationsOf(t, b)
	if err := ra.PutBinding(ctx, Registration{Agent: "2001", Contact: "sip:2001@10.0.0.5", Expires: time.Now().Add(time.Hour),
		Source: "10.0.0.5:5070", Transport: "UDP"}); err != nil {
		t.Fatal(err)
	}
	if err := rb.Follow(ctx, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	before := b.NC.Stats().InMsgs
	got, err := rb.Contacts(ctx, "2001")
	if err != nil || len(got) != 1 || got[0].Source != "10.0.0.5:5070" || got[0].Transport != "UDP" || got[0].Node != "a" {
		t.Fatalf("followed contacts: %+v %v", got, err)
	}
	if n := b.NC.Stats().InMsgs - before; n != 0 {
		t.Fatalf("a followed read took %d messages", n)
	}
	if err := ra.Put(ctx, "2001", "sip:2001@10.0.0.6", time.Now().Add(-time.Second)); err != nil { // expired
		t.Fatal(err)
	}
	if err := ra.Remove(ctx, "2001", "sip:2001@10.0.0.5"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the removal in the copy", func() bool {
		got, _ := rb.Contacts(ctx, "2001")
		return len(got) == 0
	})
}
