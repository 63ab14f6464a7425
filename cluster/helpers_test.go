package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// natsURL is the machine's NATS server with JetStream (see .ci/run).
const natsURL = "nats://127.0.0.1:4222"

// needNATS skips without a NATS server, except under CI, where every test
// must run.
func needNATS(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NATS with JetStream is not running on 127.0.0.1:4222 (CI runs every test): %v", err)
		}
		t.Skipf("NATS with JetStream is not running on 127.0.0.1:4222: %v", err)
	}
	c.Close()
}

// testPrefix is a prefix of the test's own, so tests never share a
// bucket, stream or subject.
func testPrefix(t testing.TB) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// cluster is one test's cluster: its prefix and the connections opened.
type testCluster struct {
	t      testing.TB
	prefix string
	ttl    time.Duration
}

// newTestCluster makes the buckets and stream of a fresh prefix and
// removes them when the test ends.
func newTestCluster(t testing.TB, ttl time.Duration) *testCluster {
	t.Helper()
	needNATS(t)
	tc := &testCluster{t: t, prefix: testPrefix(t), ttl: ttl}
	admin := tc.connect("admin", natsURL)
	if err := admin.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := Connect(context.Background(), tc.settings("cleanup", natsURL))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer a.Close()
		if err := a.Remove(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return tc
}

func (tc *testCluster) settings(node, url string) Settings {
	return Settings{Node: node, URLs: []string{url}, Prefix: tc.prefix, LeaseTTL: tc.ttl,
		ConnectTimeout: 2 * time.Second, Log: testLog(tc.t)}
}

// connect opens a node's own connection, closed when the test ends.
func (tc *testCluster) connect(node, url string) *Conn {
	tc.t.Helper()
	c, err := Connect(context.Background(), tc.settings(node, url))
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(c.Close)
	return c
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// proxy is a TCP relay between a node and NATS that the test can stall
// (bytes are held, as in a partition that later heals) or cut (every
// connection closed, as when a link drops).
type proxy struct {
	ln       net.Listener
	upstream string

	mu      sync.Mutex
	cond    *sync.Cond
	stalled bool
	conns   []net.Conn
}

func newProxy(t testing.TB, upstream string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, upstream: upstream}
	p.cond = sync.NewCond(&p.mu)
	go p.accept()
	t.Cleanup(func() { p.Resume(); ln.Close(); p.Cut() })
	return p
}

func (p *proxy) URL() string { return "nats://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go p.pipe(c, u)
		go p.pipe(u, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.stalled {
			p.cond.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				dst.Close()
			}
			return
		}
	}
}

// Stall holds every byte in both directions until Resume.
func (p *proxy) Stall() {
	p.mu.Lock()
	p.stalled = true
	p.mu.Unlock()
}

// Resume delivers what was held and relays again.
func (p *proxy) Resume() {
	p.mu.Lock()
	p.stalled = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Cut closes every relayed connection; new ones are still accepted.
func (p *proxy) Cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}
