package testproc

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// NATSBin finds nats-server, or skips the test (fails it under CI, which
// runs every test).
func NATSBin(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nats-server is not installed (CI runs every test; apt-get install nats-server)")
		}
		t.Skip("nats-server is not installed (apt-get install nats-server)")
	}
	return bin
}

// NATS is a nats-server of the test's own (never the machine's), which
// the test may kill and start again on the same address and store.
type NATS struct {
	t    testing.TB
	addr string
	env  []string
	bin  string
	args []string
	out  Output // every run's output
	proc *Process
}

// StartNATS runs bin with args, listening on addr (the args must say so),
// with env added to its environment, and waits until it accepts
// connections. It is killed when the test ends; its output is logged if
// the test failed.
func StartNATS(t testing.TB, bin, addr string, env []string, args ...string) *NATS {
	t.Helper()
	n := &NATS{t: t, addr: addr, env: env, bin: bin, args: args}
	n.Start()
	t.Cleanup(func() {
		n.Kill()
		if t.Failed() {
			t.Logf("nats-server:\n%s", n.out.String())
		}
	})
	return n
}

// URL is the server's client URL.
func (n *NATS) URL() string { return "nats://" + n.addr }

// Start runs the server (again) and waits until it accepts connections.
func (n *NATS) Start() {
	n.t.Helper()
	n.proc = start(n.t, "nats-server", n.env, &n.out, n.bin, n.args)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", n.addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("timed out waiting for the test's NATS server on %s: %v", n.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill stops the server at once, as a crash or a cut link would.
func (n *NATS) Kill() {
	if n.proc == nil {
		return
	}
	n.proc.Stop(syscall.SIGKILL, 10*time.Second)
	n.proc = nil
}
