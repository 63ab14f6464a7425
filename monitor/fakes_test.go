package monitor

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/store"
)

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixedClock struct{}

func (fixedClock) Now() time.Time { return testNow }

// recorder keeps what a Service published, audited and played.
type recorder struct {
	mu      sync.Mutex
	events  chan call.Event
	audited chan store.AuditEntry // every entry, for tests that wait for one
	audits  []store.AuditEntry
	prompts []string
}

func (r *recorder) audit(e store.AuditEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.audits = append(r.audits, e)
	select {
	case r.audited <- e:
	default:
	}
}

// nextAudit waits for an audit entry not yet taken by nextAudit.
func (r *recorder) nextAudit(t *testing.T) store.AuditEntry {
	t.Helper()
	select {
	case e := <-r.audited:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("nothing audited")
		return store.AuditEntry{}
	}
}

func (r *recorder) auditLog() []store.AuditEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.AuditEntry(nil), r.audits...)
}

func (r *recorder) played() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.prompts...)
}

// nextEvent waits for the next published event; the bound only keeps a
// broken session from hanging the test.
func (r *recorder) nextEvent(t *testing.T) call.Event {
	t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event published")
		return call.Event{}
	}
}

// fakePhones stands in for the supervisors' softphones: registered ones
// answer at once with a leg the test drives, unless ring blocks them.
type fakePhones struct {
	registered map[string]bool
	leg        Leg
	block      bool // Ring waits for its context to end, then fails
	hungUp     chan struct{}
}

func (p *fakePhones) Registered(sup string) bool { return p.registered[sup] }

func (p *fakePhones) Ring(ctx context.Context, _, _ string) (Leg, func(), error) {
	if p.block {
		<-ctx.Done()
		return Leg{}, nil, ctx.Err()
	}
	return p.leg, func() { close(p.hungUp) }, nil
}

var testSupervisors = []config.Supervisor{
	{ID: "2001", Password: "a", Agents: []string{"*"}},
	{ID: "2002", Password: "b", Agents: []string{"1002"}},
}

// newTestService builds a Service over agents 1001–1003 whose metrics go
// to reg (nil: none).
func newTestService(phones *fakePhones, reg prometheus.Registerer) (*Service, *recorder) {
	rec := &recorder{events: make(chan call.Event, 16), audited: make(chan store.AuditEntry, 16)}
	agents := map[string]bool{"1001": true, "1002": true, "1003": true}
	svc := New(Deps{
		Supervisors: testSupervisors,
		IsAgent:     func(id string) bool { return agents[id] },
		Phones:      phones,
		Publish:     func(e call.Event) { rec.events <- e },
		Audit:       rec.audit,
		Prompt: func(name string) *playout.Prompt {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.prompts = append(rec.prompts, name)
			return nil // nothing to wait for
		},
		Clock:   fixedClock{},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: reg,
	})
	return svc, rec
}

// newStream is a stream on a loopback socket that is never started:
// bridging and mixing need streams, not traffic.
func newStream(t *testing.T) *media.Stream {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := media.NewStream(conn, media.StreamConfig{}, nil)
	t.Cleanup(s.Close)
	return s
}

// newBridge bridges a fresh caller and agent stream.
func newBridge(t *testing.T) *media.BridgeHandle {
	t.Helper()
	b, err := media.Bridge(newStream(t), newStream(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// supervisorLeg is a leg the test drives through the returned channel.
func supervisorLeg(t *testing.T) (Leg, chan<- interp.Event) {
	events := make(chan interp.Event)
	return Leg{Stream: newStream(t), Events: events}, events
}
