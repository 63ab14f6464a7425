package acdburst

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/app"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/ivr"
)

// TestConfigIsTheBurstScenario pins what the benchmark's figures assume
// of its configuration, and that the server accepts it (a flow that
// starts at a queue node among them).
func TestConfigIsTheBurstScenario(t *testing.T) {
	data, err := os.ReadFile(burstConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(burstConfig, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Agents) != 200 {
		t.Fatalf("%d agents, want 200", len(cfg.Agents))
	}
	for i, a := range cfg.Agents {
		if want := fmt.Sprint(2000 + i); a.ID != want || a.AgentPassword() == "" || len(a.Queues) != 1 || a.Queues[0] != "burst" {
			t.Errorf("agent %d: %+v, want id %s with a password, in queue burst only", i, a, want)
		}
	}
	q, ok := cfg.Queues["burst"]
	if !ok || len(cfg.Queues) != 1 {
		t.Fatalf("queues %v, want only burst", cfg.Queues)
	}
	if q.Strategy != "longest-idle" || q.WrapUp == nil || *q.WrapUp < time.Minute ||
		q.AnnounceEvery == nil || *q.AnnounceEvery != 0 || q.AnnounceAgent == nil || *q.AnnounceAgent {
		t.Errorf("queue burst: %+v", q)
	}
	if cfg.SIP.MaxCalls < 1000 || cfg.Log.Level != "warn" {
		t.Errorf("max_calls %d, log level %s", cfg.SIP.MaxCalls, cfg.Log.Level)
	}
	low, high, err := config.ParsePortRange(cfg.RTP.Ports)
	if err != nil || (high-low)/2 < 2000 {
		t.Errorf("rtp ports %s: %d even ports (%v), want room for 2000", cfg.RTP.Ports, (high-low)/2, err)
	}
	flows, err := ivr.ParseFlows(burstConfig, &cfg.Flows)
	if err != nil {
		t.Fatal(err)
	}
	flow := flows[cfg.Numbers[burstNumber]]
	if flow == nil || flow.Nodes[flow.Start] == nil || flow.Nodes[flow.Start].Type != ivr.TypeQueue || flow.Nodes[flow.Start].Queue != "burst" {
		t.Errorf("number %s: flow %+v, want one that starts at a queue node for burst", burstNumber, flow)
	}
	if _, err := app.Prepare(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("the server refuses the configuration: %v", err)
	}
}
