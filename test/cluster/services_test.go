package cluster_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hotline-oss/hotline/internal/kamailiotest"
	"github.com/hotline-oss/hotline/internal/testproc"
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

// stopGrace is how long a child may take to exit after a signal before
// its group is killed.
const stopGrace = 15 * time.Second

// startNATS runs a NATS server with JetStream of the test's own, on a
// free port, which the test may kill and start again on the same port and
// store (never the machine's server on 4222).
func startNATS(t *testing.T) *testproc.NATS {
	t.Helper()
	bin := need(t, "nats-server", "nats-server")
	port := freePort(t, "127.0.0.1")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	return testproc.StartNATS(t, bin, addr, nil, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir())
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
	kamailiotest.Front
}

func startFront(t *testing.T, nodes []*node) *front {
	t.Helper()
	bin := need(t, "kamailio", "kamailio")
	need(t, "kamcmd", "kamailio")
	f := &front{addr: fmt.Sprintf("127.0.0.1:%d", freePort(t, "127.0.0.1"))}
	f.Front = kamailiotest.Front{Config: "../../deploy/kamailio/kamailio.cfg", Dir: t.TempDir(), Listen: f.addr,
		ProbeInterval: probeInterval, NodeTimeout: nodeTimeout}
	for _, n := range nodes {
		f.Nodes = append(f.Nodes, kamailiotest.Node{Addr: n.sipAddr(), ID: n.id})
	}
	kamailiotest.Start(t, "kamailio", bin, f.Args(t)...)
	return f
}

// The front's probe settings in the test: a dead node is out of rotation
// within probeInterval + nodeTimeout.
const (
	probeInterval = time.Second
	nodeTimeout   = 800 * time.Millisecond
)

// state is the dispatcher's flags for a node: "AP" active, "IP" inactive.
func (f *front) state(n *node) string { return f.State(n.sipAddr()) }

var waitFor = testproc.WaitFor

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
