package cluster

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hotline-oss/hotline/config"
)

// A reload notice reaches every other node with the announcer's hashes,
// never the announcer itself; one that does not parse is dropped and
// counted.
func TestReloadNoticesReachTheOtherNodes(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	a := tc.connect("a", natsURL)
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	settings := tc.settings("b", natsURL)
	settings.Metrics = m
	b, err := Connect(context.Background(), settings)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	type notice struct {
		from     string
		sections map[string]string
	}
	got := make(chan notice, 4)
	for _, c := range []*Conn{a, b} {
		stop, err := c.WatchReloads(func(from string, sections map[string]string) { got <- notice{from, sections} })
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = stop() }()
	}
	want := map[string]string{"numbers": "h1", "flows": "h2"}
	if err := a.AnnounceReload(want); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-got:
		if n.from != "a" || !maps.Equal(n.sections, want) {
			t.Fatalf("notice %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b was not told of a's reload")
	}
	for _, bad := range []string{`{"v":1,"node":"a"}`, `not json`, `{"v":2,"node":"a","sections":{"x":"y"}}`} {
		if err := a.NC.Publish(a.Names.ReloadSubject(), []byte(bad)); err != nil {
			t.Fatal(err)
		}
	}
	_ = a.NC.Flush()
	waitFor(t, 5*time.Second, "the bad notices counted", func() bool {
		return testutil.ToFloat64(m.bad.WithLabelValues(SubjectReload)) == 3
	})
	select {
	case n := <-got:
		t.Fatalf("a notice that does not parse, or a node's own, was acted on: %+v", n)
	case <-time.After(200 * time.Millisecond):
	}
}

// After a reload a node republishes what it runs: a node starting with
// the new file joins, one with the old file is refused.
func TestRepublishedConfigurationIsWhatJoiningNodesMeet(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := parseConfig(t, string(config.Demo()))
	old := sectionsOf(t, cfg)
	a, err := tc.connect("a", natsURL).Join(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Leave(ctx)
	cfg.ShutdownGrace = 7 * time.Second
	updated := sectionsOf(t, cfg)
	if err := a.Republish(ctx, updated); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.connect("b", natsURL).Join(ctx, old); !errors.Is(err, ErrConfigDiffers) {
		t.Fatalf("a node with the file from before the reload: %v, want ErrConfigDiffers", err)
	}
	c, err := tc.connect("c", natsURL).Join(ctx, updated)
	if err != nil {
		t.Fatalf("a node with the reloaded file: %v", err)
	}
	c.Leave(ctx)
}
