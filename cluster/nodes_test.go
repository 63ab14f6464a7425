package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/cluster/confighash"
	"github.com/hotline-oss/hotline/config"
)

func TestNodeWithAnotherConfigurationRefusesToJoin(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	cfg := parseConfig(t, string(config.Demo()))
	same := sectionsOf(t, cfg)
	a, err := tc.connect("a", natsURL).Join(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Leave(ctx)
	b, err := tc.connect("b", natsURL).Join(ctx, same)
	if err != nil {
		t.Fatalf("a node with the same configuration refused: %v", err)
	}
	defer b.Leave(ctx)

	cfg.ShutdownGrace = time.Second
	q := cfg.Queues["billing"]
	q.DisplayName = "Other"
	cfg.Queues["billing"] = q
	_, err = tc.connect("c", natsURL).Join(ctx, sectionsOf(t, cfg))
	var mm *ConfigMismatch
	if !errors.Is(err, ErrConfigDiffers) || !errors.As(err, &mm) {
		t.Fatalf("a differing node joined: %v", err)
	}
	if !slices.Equal(mm.Sections, []string{"queues", "shutdown_grace"}) || !strings.Contains(err.Error(), "queues, shutdown_grace") {
		t.Fatalf("error %q names %v", err, mm.Sections)
	}
	live, err := a.Live(ctx)
	if err != nil || len(live) != 2 {
		t.Fatalf("live nodes after the refusal: %+v %v", live, err)
	}
	// Once the others leave, the new configuration may start a cluster.
	a.Leave(ctx)
	b.Leave(ctx)
	c, err := tc.connect("c2", natsURL).Join(ctx, sectionsOf(t, cfg))
	if err != nil {
		t.Fatalf("alone, the node still refused: %v", err)
	}
	c.Leave(ctx)
}

func TestNodeEntryExpiresWithoutHeartbeat(t *testing.T) {
	ttl := time.Second
	tc := newTestCluster(t, ttl)
	ctx := context.Background()
	sections := map[string]string{"queues": "x"}
	conn := tc.connect("a", natsURL)
	a, err := conn.Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	watcher, err := tc.connect("w", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Leave(ctx)
	conn.Close() // a crash: no Leave
	a.stop()
	waitFor(t, nodeTTLFactor*ttl+3*time.Second, "node a to drop out", func() bool {
		live, err := watcher.Live(ctx)
		return err == nil && len(live) == 1 && live[0].Node == "w"
	})
}

func TestSecondProcessWithTheSameNodeIDRefusesToJoin(t *testing.T) {
	tc := newTestCluster(t, time.Second)
	ctx := context.Background()
	sections := map[string]string{"queues": "x"}
	first, err := tc.connect("a", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.connect("a", natsURL).Join(ctx, sections)
	if !errors.Is(err, ErrNodeIDInUse) || !strings.Contains(err.Error(), "cluster.node_id") {
		t.Fatalf("a second process under node id a joined: %v", err)
	}
	// The first leaves: the id is free at once.
	first.Leave(ctx)
	again, err := tc.connect("a", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatalf("after the first left: %v", err)
	}
	again.Leave(ctx)

	// Killed without leaving and restarted at once: the new process waits
	// for one missed heartbeat, then joins.
	killed := tc.connect("a", natsURL)
	m, err := killed.Join(ctx, sections)
	if err != nil {
		t.Fatal(err)
	}
	killed.Close()
	m.stop()
	restarted, err := tc.connect("a", natsURL).Join(ctx, sections)
	if err != nil {
		t.Fatalf("a quick restart refused: %v", err)
	}
	restarted.Leave(ctx)
}

func parseConfig(t *testing.T, yml string) *config.Config {
	t.Helper()
	c, err := config.Parse("x.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sectionsOf(t *testing.T, c *config.Config) map[string]string {
	t.Helper()
	s, err := confighash.Sections(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
