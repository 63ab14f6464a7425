package cluster_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/testproc"
)

// node is one hotline process of the cluster, on its own loopback address.
type node struct {
	t        *testing.T
	id       string
	ip       string
	sipPort  int
	httpPort int
	rtpPorts string
	dataDir  string
	config   string // its configuration file
	proc     *testproc.Process
	logs     []string // output of its earlier runs
}

func newNode(t *testing.T, index int, dir string) *node {
	t.Helper()
	ip := fmt.Sprintf("127.0.0.%d", 10+index)
	low := 47000 + 200*index
	n := &node{
		t: t, id: fmt.Sprintf("node%d", index), ip: ip,
		sipPort: freePort(t, ip), httpPort: freePort(t, ip),
		rtpPorts: fmt.Sprintf("%d-%d", low, low+199),
		dataDir:  filepath.Join(dir, fmt.Sprintf("node%d", index)),
	}
	n.config = filepath.Join(dir, n.id+".yaml")
	t.Cleanup(func() {
		if n.proc != nil {
			n.proc.Stop(syscall.SIGTERM, stopGrace)
		}
		if t.Failed() {
			for i, out := range append(n.logs, n.output()) {
				t.Logf("%s, run %d, log tail:\n%s", n.id, i+1, tail(out, 60))
				keepLog(t, fmt.Sprintf("%s-run%d.log", n.id, i+1), out)
			}
		}
	})
	return n
}

func (n *node) sipAddr() string  { return fmt.Sprintf("%s:%d", n.ip, n.sipPort) }
func (n *node) httpAddr() string { return fmt.Sprintf("%s:%d", n.ip, n.httpPort) }

func (n *node) output() string {
	if n.proc == nil {
		return ""
	}
	return n.proc.Out.String()
}

// writeConfig writes the node's file: the cluster's shared body plus the
// keys every node sets for itself.
func (n *node) writeConfig(shared string) {
	n.t.Helper()
	own := fmt.Sprintf(`sip:
  listen: %s
  transports: [udp]
  max_calls: 200
http:
  listen: %s
rtp:
  address: %s
  ports: %s
  inactivity_timeout: 30s
data_dir: %s
log:
  level: debug
`, n.sipAddr(), n.httpAddr(), n.ip, n.rtpPorts, n.dataDir)
	shared = strings.ReplaceAll(shared, "@NODE@", n.id)
	if err := os.WriteFile(n.config, []byte(own+shared), 0o644); err != nil {
		n.t.Fatal(err)
	}
}

// start runs the node and waits until it is ready for calls.
func (n *node) start() {
	n.t.Helper()
	if !n.tryStart() {
		n.t.Fatalf("%s exited at start:\n%s", n.id, tail(n.output(), 40))
	}
}

// startFirst is start for a node's first run, before anything knows its
// ports: should another process have taken one of them since freePort
// found it free, the node takes new ones and tries again.
func (n *node) startFirst(shared string) {
	n.t.Helper()
	for range 3 {
		n.writeConfig(shared)
		if n.tryStart() {
			return
		}
		if !strings.Contains(n.output(), "address already in use") {
			break
		}
		n.sipPort, n.httpPort = freePort(n.t, n.ip), freePort(n.t, n.ip)
	}
	n.t.Fatalf("%s exited at start:\n%s", n.id, tail(n.output(), 40))
}

// tryStart runs the node and waits until it is ready for calls; false if
// it exited instead.
func (n *node) tryStart() bool {
	n.t.Helper()
	if n.proc != nil {
		n.logs = append(n.logs, n.output())
	}
	n.proc = testproc.Start(n.t, n.id, nil, hotlineBin, "-config", n.config)
	exited := false
	waitFor(n.t, 30*time.Second, n.id+" ready", func() bool {
		exited = n.proc.Exited()
		return exited || n.httpStatus("/readyz") == http.StatusOK
	})
	return !exited
}

// hangUp sends SIGHUP: the node reloads its file.
func (n *node) hangUp() {
	if err := n.proc.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		n.t.Fatalf("SIGHUP %s: %v", n.id, err)
	}
}

// kill ends the node with SIGKILL: no drain, no goodbye to the cluster.
func (n *node) kill() { n.proc.Stop(syscall.SIGKILL, stopGrace) }

func (n *node) httpStatus(path string) int {
	c := http.Client{Timeout: time.Second}
	res, err := c.Get("http://" + n.httpAddr() + path)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

// sample is one series of a scrape: its labels and value.
type sample struct {
	labels map[string]string
	value  float64
}

// metrics scrapes the node's /metrics (the text format) into samples by
// series name; nil while the node does not answer.
func (n *node) metrics() map[string][]sample {
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get("http://" + n.httpAddr() + "/metrics")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil
	}
	out := map[string][]sample{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		name, rest, _ := strings.Cut(series, "{")
		labels := map[string]string{}
		for _, pair := range strings.Split(strings.TrimSuffix(rest, "}"), ",") {
			if k, v, ok := strings.Cut(pair, "="); ok {
				labels[k] = strings.Trim(v, `"`)
			}
		}
		out[name] = append(out[name], sample{labels: labels, value: v})
	}
	return out
}

// metric is the sum of a series' samples whose labels include the given
// pairs (name, value, name, value…), and whether any matched.
func (n *node) metric(name string, labels ...string) (float64, bool) {
	var sum float64
	found := false
	for _, s := range n.metrics()[name] {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			ok = ok && s.labels[labels[i]] == labels[i+1]
		}
		if ok {
			sum += s.value
			found = true
		}
	}
	return sum, found
}

// leads reports whether the node holds the cluster's lease now.
func (n *node) leads() bool {
	v, _ := n.metric("hotline_cluster_leader")
	return v == 1
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// keepLog writes a failed test's full log of a process into the directory
// HOTLINE_TEST_LOG_DIR names, when set.
func keepLog(t *testing.T, name, out string) {
	dir := os.Getenv("HOTLINE_TEST_LOG_DIR")
	if dir == "" {
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(out), 0o644); err == nil {
		t.Logf("full log in %s", path)
	}
}
