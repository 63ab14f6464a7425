package app

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/internal/testproc"
)

// startOwnNATS runs a NATS server of the test's own, with JetStream on
// disk, that the test can kill and start again.
func startOwnNATS(t *testing.T) *testproc.NATS {
	t.Helper()
	bin := testproc.NATSBin(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	return testproc.StartNATS(t, bin, addr, nil, "-a", "127.0.0.1", "-p", port, "-js", "-sd", filepath.Join(t.TempDir(), "js"))
}

// TestClusterNodeWithoutNATSRefusesCallsThenRecovers: NATS dies under a
// node: a new call gets 503 (the front tries another node), OPTIONS
// probes too, the call is counted as blocked for cluster_down; when NATS
// is back, the node takes calls again by itself and serves them.
func TestClusterNodeWithoutNATSRefusesCallsThenRecovers(t *testing.T) {
	nats := startOwnNATS(t)
	c := newAppCluster(t, nats.URL())
	a := c.node("a", "127.0.0.11")
	agent := a.agentPhone("1001", "pw1001", testphone.AutoAnswer)

	nats.Kill()
	waitFor(t, "the node to see NATS gone", 5*time.Second, func() bool { return !a.srv.cluster.Up() })
	ctx := ctxT(t, 20*time.Second)
	_, err := a.phone("udp").Call(ctx, "95598")
	wantStatus(t, "a call without NATS", err, 503)
	if code, err := a.phone("udp").Options(ctx); err != nil || code != 503 {
		t.Errorf("OPTIONS without NATS: %d %v, want 503", code, err)
	}
	if got := a.metric("hotline_cluster_connected"); got != 0 {
		t.Errorf("hotline_cluster_connected without NATS = %v, want 0", got)
	}
	if code := readyz(t, a); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz without NATS: %d, want 503", code)
	}
	if got := a.metric("hotline_calls_total", "result", "blocked"); got != 1 {
		t.Errorf("blocked calls = %v, want 1", got)
	}
	a.events.mu.Lock()
	var reasons []string
	for _, e := range a.events.events {
		if e.Kind == call.CallBlocked {
			reasons = append(reasons, e.Reason)
		}
	}
	a.events.mu.Unlock()
	if len(reasons) != 1 || reasons[0] != "cluster_down" {
		t.Errorf("refusals %v, want one for cluster_down", reasons)
	}

	time.Sleep(2 * time.Second)
	nats.Start()
	waitFor(t, "the node to reconnect", 15*time.Second, func() bool { return a.srv.cluster.Up() })
	waitFor(t, "the node to lead again", 10*time.Second, a.leading)
	if got := a.metric("hotline_cluster_connected"); got != 1 {
		t.Errorf("hotline_cluster_connected after NATS came back = %v, want 1", got)
	}
	if code := readyz(t, a); code != http.StatusOK {
		t.Errorf("/readyz after NATS came back: %d, want 200", code)
	}
	if code, err := a.phone("udp").Options(ctx); err != nil || code != 200 {
		t.Errorf("OPTIONS after NATS came back: %d %v, want 200", code, err)
	}
	caller, id := a.dialAndPress("0")
	leg := waitIncoming(t, agent)
	hearEachOther(t, caller, leg, fmt.Sprint("1001 after the outage"))
	agentHangsUp(t, a, caller, leg, id)
}

// readyz is the status of the node's readiness probe.
func readyz(t *testing.T, h *harness) int {
	t.Helper()
	res, err := http.Get("http://" + h.srv.HTTPAddr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
