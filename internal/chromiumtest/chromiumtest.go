package chromiumtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
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

// command is the browser with Flags, a profile of the test's own and
// args. Chromium's helper processes outlive a killed browser unless the
// whole process group goes, so ending ctx kills the group.
func command(ctx context.Context, t testing.TB, browser string, args ...string) *exec.Cmd {
	base := append(slices.Clone(Flags), "--user-data-dir="+t.TempDir())
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// Run runs the headless browser with args and its own profile, and
// returns what it printed; it fails the test after a minute.
func Run(t testing.TB, browser string, args ...string) []byte {
	t.Helper()
	return run(t, browser, time.Minute, args...)
}

func run(t testing.TB, browser string, within time.Duration, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	out, err := command(ctx, t, browser, args...).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("chromium %v: %v\n%s", args, err, exit.Stderr)
		}
		t.Fatalf("chromium %v: %v", args, err)
	}
	return out
}

// DumpDOM loads url, lets budgetMS milliseconds of virtual time pass and
// returns the top document as the browser then holds it (an iframe's
// content is not in it: a driver page copies out what it needs). args
// come before the url (a --window-size, say).
func DumpDOM(t testing.TB, browser, url string, budgetMS int, args ...string) string {
	t.Helper()
	args = append(slices.Clone(args), "--dump-dom", fmt.Sprintf("--virtual-time-budget=%d", budgetMS), url)
	return string(Run(t, browser, args...))
}

// Screenshot pictures url in a window of size ("width,height") after
// budgetMS milliseconds of virtual time and returns the PNG; it fails the
// test when the picture is missing or too small to show a rendered page.
func Screenshot(t testing.TB, browser, url, size string, budgetMS int) []byte {
	t.Helper()
	shot := t.TempDir() + "/shot.png"
	run(t, browser, 90*time.Second, "--screenshot="+shot, "--window-size="+size, "--hide-scrollbars",
		fmt.Sprintf("--virtual-time-budget=%d", budgetMS), url)
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot of %s: %d bytes, %v", url, len(png), err)
	}
	return png
}

// Keep writes png to path, for the docs; an empty path (its variable
// unset) keeps nothing.
func Keep(t testing.TB, png []byte, path string) {
	t.Helper()
	if path == "" {
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// KeepIn writes png to dir under name, for the docs; an empty dir (its
// variable unset) keeps nothing.
func KeepIn(t testing.TB, png []byte, dir, name string) {
	t.Helper()
	if dir != "" {
		Keep(t, png, filepath.Join(dir, name))
	}
}

// UntilReport opens url in a window of size in real time (a driver page
// that measures or waits on a live server needs the real clock) and
// returns the first report that arrives on reports; it fails the test
// when none comes within the given time.
func UntilReport[R any](t testing.TB, browser, url, size string, within time.Duration, reports <-chan R) R {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	// The debugging port keeps the headless browser open on the page.
	cmd := command(ctx, t, browser, "--remote-debugging-port=0", "--window-size="+size, url)
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	select {
	case rep := <-reports:
		return rep
	case <-ctx.Done():
		t.Fatalf("%s reported nothing within %v", url, within)
		var none R
		return none
	}
}
