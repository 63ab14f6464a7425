package chromiumtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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

// Run runs the headless browser with args and its own profile, and
// returns what it printed; it fails the test after a minute.
func Run(t testing.TB, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	out, err := exec.CommandContext(ctx, browser, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return out
}
