package main

import (
	"bytes"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testproc"
)

// waitLog waits until the log holds want n times.
func waitLog(t *testing.T, b *testproc.Output, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(b.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q (%d times):\n%s", want, n, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSIGHUPReloadsTheConfigFile(t *testing.T) {
	// Hold the signals ourselves too, so that neither can kill the test
	// binary before the server has registered for them.
	hold := make(chan os.Signal, 4)
	signal.Notify(hold, syscall.SIGHUP, syscall.SIGTERM)
	defer signal.Stop(hold)

	demo := string(config.Demo())
	path := writeConfig(t, demo)
	var stdout bytes.Buffer
	stderr := &testproc.Output{}
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-config", path, "-sip-listen", "127.0.0.1:0", "-http-listen", "127.0.0.1:0",
			"-rtp-ports", "46000-46999", "-data-dir", t.TempDir()}, &stdout, stderr)
	}()
	waitLog(t, stderr, "hotline started", 1)

	// A broken file is rejected and logged; the server keeps running.
	if err := os.WriteFile(path, []byte(strings.Replace(demo, `"95598": main`, `"95598": nowhere`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	waitForHUP(t, hold, stderr, "configuration reload rejected", 1)
	if !strings.Contains(stderr.String(), path+":") || !strings.Contains(stderr.String(), "nowhere") {
		t.Fatalf("rejection without file:line and reason:\n%s", stderr.String())
	}
	// A good one is applied, with the command-line flags applied again
	// (so nothing is reported as needing a restart).
	good := strings.Replace(demo, `"95598": main`, "\"95598\": main\n  \"95599\": main", 1)
	if err := os.WriteFile(path, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	waitForHUP(t, hold, stderr, "configuration reloaded", 1)
	log := stderr.String()
	if !strings.Contains(log, "numbers.95599 added") || strings.Contains(log, "restart to apply") {
		t.Fatalf("reload log:\n%s", log)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop on SIGTERM")
	}
}

// waitForHUP sends SIGHUP until the server's reload shows in the log: the
// server registers for the signal just after it logs that it started.
func waitForHUP(t *testing.T, hold <-chan os.Signal, log *testproc.Output, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(log.String(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no %q after SIGHUP:\n%s", want, log.String())
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		<-hold
		waitLogFor(log, want, n, 2*time.Second)
	}
}

func waitLogFor(b *testproc.Output, want string, n int, d time.Duration) {
	deadline := time.Now().Add(d)
	for strings.Count(b.String(), want) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}
