package chromiumtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// Find returns the browser's path, or skips the test when there is none
// (and fails it under CI, where it must exist).
func Find(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is required in CI")
	}
	fmt.Fprintln(os.Stderr, "SKIP: browser test: chromium not installed")
	t.Skip("chromium not installed")
	return ""
}

// Flags run the browser headless, as root, without reaching the network
// on its own (this machine's closed network refuses it) or keeping state;
// each run adds its own --user-data-dir.
var Flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-dev-shm-usage"}

// Run runs the headless browser with args and its own profile, and
// returns what it printed; it fails the test after a minute.
func Run(t testing.TB, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := append(slices.Clone(Flags), "--user-data-dir="+t.TempDir())
	out, err := exec.CommandContext(ctx, browser, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return out
}
