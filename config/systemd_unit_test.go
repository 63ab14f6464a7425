package config

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// systemdUnitPath is the example unit of docs/operations.md. Its stop
// timeout has to cover shutdown_grace, a default of this package, which is
// why its test lives here.
const systemdUnitPath = "../deploy/systemd/hotline.service"

// unitSettings reads the Key=Value lines of a unit file (comments and
// section headers left out); a key given twice keeps its last value.
func unitSettings(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The unit stops by SIGTERM, which drains, and gives the drain more time
// than the default shutdown_grace before systemd kills the process; a
// reload is SIGHUP.
func TestSystemdUnitDrainsAndReloads(t *testing.T) {
	u := unitSettings(t, systemdUnitPath)
	if u["KillSignal"] != "SIGTERM" {
		t.Errorf("KillSignal=%q: want SIGTERM, the signal that drains", u["KillSignal"])
	}
	stop, err := time.ParseDuration(u["TimeoutStopSec"])
	if err != nil {
		t.Fatalf("TimeoutStopSec=%q: want a duration such as 45s: %v", u["TimeoutStopSec"], err)
	}
	if grace := Default().ShutdownGrace; stop <= grace {
		t.Errorf("TimeoutStopSec=%s: systemd would kill the server before shutdown_grace (%s) is over", stop, grace)
	}
	if !strings.Contains(u["ExecReload"], "-HUP $MAINPID") {
		t.Errorf("ExecReload=%q: want kill -HUP $MAINPID (a hot reload)", u["ExecReload"])
	}
	argv := strings.Fields(u["ExecStart"])
	if len(argv) == 0 || !strings.HasSuffix(argv[0], "/hotline") {
		t.Fatalf("ExecStart=%q: want the hotline binary", u["ExecStart"])
	}
	state := "/var/lib/" + u["StateDirectory"]
	if i := slices.Index(argv, "-data-dir"); i < 0 || i+1 >= len(argv) || argv[i+1] != state {
		t.Errorf("ExecStart=%q: want -data-dir %s, the StateDirectory and the one directory the unit may write", u["ExecStart"], state)
	}
}

// systemd-analyze verify checks the unit's syntax and settings when the
// tool is installed. The binary it names need not exist here, so the
// copy verified runs this test's own executable instead.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	data, err := os.ReadFile(filepath.FromSlash(systemdUnitPath))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(data), "/usr/local/bin/hotline", self)
	path := filepath.Join(t.TempDir(), "hotline.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "hotline.service") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}
