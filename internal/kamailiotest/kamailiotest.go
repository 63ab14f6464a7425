package kamailiotest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testproc"
)

// stopGrace is how long Kamailio may take to exit after SIGTERM before its
// process group is killed.
const stopGrace = 5 * time.Second

// Start runs bin (kamailio) with args in a process group of its own and
// stops it when the test ends; a failed test logs the end of its output
// under name.
func Start(t testing.TB, name, bin string, args ...string) *testproc.Process {
	t.Helper()
	p := testproc.Start(t, name, nil, bin, args...)
	t.Cleanup(func() {
		p.Stop(syscall.SIGTERM, stopGrace)
		if t.Failed() {
			t.Logf("%s output:\n%s", name, tail(p.Out.String(), 4000))
		}
	})
	return p
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// Node is one destination of the front's dispatcher.
type Node struct {
	Addr string // host:port of its SIP listener
	ID   string // its duid
}

// Front is the shipped dispatcher front (deploy/kamailio/kamailio.cfg) as
// a test runs it.
type Front struct {
	Config        string // path of kamailio.cfg
	Dir           string // runtime directory: dispatcher list, pid, control socket
	Listen        string // host:port of its UDP listener
	Nodes         []Node
	ProbeInterval time.Duration // between OPTIONS probes (whole seconds)
	NodeTimeout   time.Duration // a probe unanswered this long fails
}

// Ctl is the front's control socket, for kamcmd -s.
func (f Front) Ctl() string { return "unix:" + filepath.Join(f.Dir, "ctl") }

// Args writes the dispatcher list into Dir and returns the command line
// that runs the front in the foreground.
func (f Front) Args(t testing.TB) []string {
	t.Helper()
	var list strings.Builder
	for _, n := range f.Nodes {
		fmt.Fprintf(&list, "1 sip:%s 0 0 duid=%s\n", n.Addr, n.ID)
	}
	listPath := filepath.Join(f.Dir, "dispatcher.list")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-f", f.Config, "-DD", "-E", "-Y", f.Dir, "-P", filepath.Join(f.Dir, "pid"),
		"-A", "LISTEN=udp:" + f.Listen,
		"-A", fmt.Sprintf("DISPATCHER_LIST=\"%s\"", listPath),
		"-A", fmt.Sprintf("CTL_SOCKET=\"%s\"", f.Ctl()),
		"-A", "PROBE_INTERVAL=" + fmt.Sprint(int(f.ProbeInterval.Seconds())),
		"-A", "NODE_TIMEOUT_MS=" + fmt.Sprint(f.NodeTimeout.Milliseconds()),
		"-A", "CHILDREN=2", "-m", "64", "-M", "8"}
}

// State is the dispatcher's flags for the node at addr ("AP" active, "IP"
// inactive…) read through the control socket; "" when kamcmd cannot tell.
func (f Front) State(addr string) string {
	out, err := exec.Command("kamcmd", "-s", f.Ctl(), "dispatcher.list").CombinedOutput()
	if err != nil {
		return ""
	}
	// Each destination prints its URI, then its FLAGS a few lines below.
	text := string(out)
	i := strings.Index(text, "sip:"+addr)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	j := strings.Index(rest, "FLAGS:")
	if j < 0 {
		return ""
	}
	flags, _, _ := strings.Cut(strings.TrimSpace(rest[j+len("FLAGS:"):]), "\n")
	return strings.TrimSpace(flags)
}
