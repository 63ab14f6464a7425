package natstest

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"
)

// URL is the machine's NATS server with JetStream (see .ci/run).
const URL = "nats://127.0.0.1:4222"

// Addr is URL's host and port, for relays in front of it.
const Addr = "127.0.0.1:4222"

// NeedNATS skips without a NATS server, except under CI, where every test
// must run.
func NeedNATS(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", Addr, time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NATS with JetStream is not running on %s (CI runs every test): %v", Addr, err)
		}
		t.Skipf("NATS with JetStream is not running on %s: %v", Addr, err)
	}
	c.Close()
}

// Prefix is a prefix of the test's own, so tests never share a bucket,
// stream or subject.
func Prefix(t testing.TB) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

// Log is a test's logger: debug to stderr under -v, nothing otherwise.
func Log() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// WaitFor polls cond until it holds or the timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
