package cluster_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// freePort finds a port free for both UDP and TCP on ip.
func freePort(t *testing.T, ip string) int {
	t.Helper()
	for range 50 {
		tcp, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			t.Fatalf("listen on %s: %v", ip, err)
		}
		port := tcp.Addr().(*net.TCPAddr).Port
		udp, err := net.ListenPacket("udp", net.JoinHostPort(ip, fmt.Sprint(port)))
		_ = tcp.Close()
		if err == nil {
			_ = udp.Close()
			return port
		}
	}
	t.Fatalf("no free port on %s", ip)
	return 0
}

// process is a child the test started, with its output kept for the log
// of a failed test.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startProcess(t *testing.T, name string, env []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	return p
}

// kill sends sig to the process (and its group) and waits until it exited.
func (p *process) kill(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// natsServer is a NATS server with JetStream of the test's own, on a free
// port, which the test may stop and start again on the same port and
// store (never the machine's server on 4222).
type natsServer struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	proc *process
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	n := &natsServer{t: t, bin: need(t, "nats-server", "nats-server"), port: freePort(t, "127.0.0.1"), dir: t.TempDir()}
	n.start()
	t.Cleanup(func() {
		if n.proc != nil {
			n.proc.kill(syscall.SIGTERM)
		}
	})
	return n
}

func (n *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.port) }

func (n *natsServer) start() {
	n.t.Helper()
	n.proc = startProcess(n.t, "nats-server", nil, n.bin, "-a", "127.0.0.1", "-p", fmt.Sprint(n.port), "-js", "-sd", n.dir)
	waitFor(n.t, 10*time.Second, "nats-server accepting connections", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", n.port), 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// stop kills the server at once, as a crash or a cut link would.
func (n *natsServer) stop() {
	n.proc.kill(syscall.SIGKILL)
	n.proc = nil
}

// sharedDatabase is a MariaDB database of the test's own, dropped at the end.
type sharedDatabase struct {
	dsn string
	db  *sql.DB
}

func newSharedDatabase(t *testing.T) *sharedDatabase {
	t.Helper()
	cfg, err := mysql.ParseDSN(needMySQL(t))
	if err != nil {
		t.Fatalf("%s: %v", mysqlDSNEnv, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "hl_cluster_e2e_" + hex.EncodeToString(b[:])
	admin := cfg.Clone()
	admin.DBName = ""
	adminDB, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminDB.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	own := cfg.Clone()
	own.DBName = name
	db, err := sql.Open("mysql", own.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		if _, err := adminDB.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		_ = adminDB.Close()
	})
	return &sharedDatabase{dsn: own.FormatDSN(), db: db}
}

// calls counts the call records and the distinct call ids among them.
func (d *sharedDatabase) calls(t *testing.T, where string, args ...any) (rows, distinct int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if where == "" {
		where = "1 = 1"
	}
	err := d.db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT call_id) FROM calls WHERE "+where, args...).
		Scan(&rows, &distinct)
	if err != nil && !strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("count calls: %v", err)
	}
	return rows, distinct
}

// front is Kamailio running the shipped deploy/kamailio/kamailio.cfg.
type front struct {
	addr string // IP:port callers and phones use
	ctl  string
	proc *process
}

func startFront(t *testing.T, nodes []*node) *front {
	t.Helper()
	bin := need(t, "kamailio", "kamailio")
	need(t, "kamcmd", "kamailio")
	dir := t.TempDir()
	var list strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&list, "1 sip:%s 0 0 duid=%s\n", n.sipAddr(), n.id)
	}
	listPath := filepath.Join(dir, "dispatcher.list")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t, "127.0.0.1")
	f := &front{addr: fmt.Sprintf("127.0.0.1:%d", port), ctl: "unix:" + filepath.Join(dir, "ctl")}
	f.proc = startProcess(t, "kamailio", nil, bin, "-f", "../../deploy/kamailio/kamailio.cfg", "-DD", "-E",
		"-Y", dir, "-P", filepath.Join(dir, "pid"),
		"-A", "LISTEN=udp:"+f.addr,
		"-A", fmt.Sprintf("DISPATCHER_LIST=\"%s\"", listPath),
		"-A", fmt.Sprintf("CTL_SOCKET=\"%s\"", f.ctl),
		"-A", "PROBE_INTERVAL="+fmt.Sprint(int(probeInterval.Seconds())),
		"-A", "NODE_TIMEOUT_MS="+fmt.Sprint(nodeTimeout.Milliseconds()),
		"-A", "CHILDREN=2", "-m", "64", "-M", "8")
	t.Cleanup(func() { f.proc.kill(syscall.SIGTERM) })
	return f
}

// The front's probe settings in the test: a dead node is out of rotation
// within probeInterval + nodeTimeout.
const (
	probeInterval = time.Second
	nodeTimeout   = 800 * time.Millisecond
)

// state is the dispatcher's flags for a node: "AP" active, "IP" inactive.
func (f *front) state(n *node) string {
	out, err := exec.Command("kamcmd", "-s", f.ctl, "dispatcher.list").CombinedOutput()
	if err != nil {
		return ""
	}
	text := string(out)
	i := strings.Index(text, "sip:"+n.sipAddr())
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

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// answeredWait is the average queue wait in seconds of the calls answered
// in queue, from the records of every node: ASA as docs/kpis.md defines it.
func (d *sharedDatabase) answeredWait(t *testing.T, queue string) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var total, answered sql.NullInt64
	err := d.db.QueryRowContext(ctx, "SELECT SUM(wait_ms), COUNT(*) FROM queue_visits WHERE queue = ? AND outcome = 'answered'", queue).
		Scan(&total, &answered)
	if err != nil {
		t.Fatalf("answered wait: %v", err)
	}
	if answered.Int64 == 0 {
		return 0
	}
	return float64(total.Int64) / 1000 / float64(answered.Int64)
}
