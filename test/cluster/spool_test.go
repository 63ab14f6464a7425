package cluster_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// dbLink is a TCP relay between a node and MariaDB that the test can cut
// and restore, to take the database away from one node only.
type dbLink struct {
	t      *testing.T
	addr   string // where the node connects
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newDBLink(t *testing.T, target string) *dbLink {
	t.Helper()
	l := &dbLink{t: t, addr: fmt.Sprintf("127.0.0.1:%d", freePort(t, "127.0.0.1")), target: target}
	l.restore()
	t.Cleanup(l.cut)
	return l
}

func (l *dbLink) restore() {
	l.t.Helper()
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.t.Fatalf("database link: %v", err)
	}
	l.mu.Lock()
	l.ln = ln
	l.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", l.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, in, out)
			l.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
}

// cut closes the listener and every open connection: the node sees the
// database gone.
func (l *dbLink) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ln != nil {
		_ = l.ln.Close()
		l.ln = nil
	}
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

// ended is a call the node ended (its BYE reached the caller) and when.
type ended struct {
	id string
	at time.Time
}

// traffic places self-service calls straight at a node from a few
// callers at once until stopped, and keeps the calls the node ended.
type traffic struct {
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	mu       sync.Mutex
	ended    []ended
	attempts int
}

func startTraffic(t *testing.T, server string, callers int) *traffic {
	tr := &traffic{stop: make(chan struct{})}
	for i := range callers {
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			p := phone(t, server, fmt.Sprintf("1390000000%d", i), "")
			for {
				select {
				case <-tr.stop:
					return
				default:
				}
				tr.mu.Lock()
				tr.attempts++
				tr.mu.Unlock()
				c, err := p.Call(ctxFor(t, 5*time.Second), "95598")
				if err != nil {
					time.Sleep(100 * time.Millisecond) // the node is gone
					continue
				}
				select {
				case <-c.Done():
					tr.mu.Lock()
					tr.ended = append(tr.ended, ended{id: c.CallID(), at: time.Now()})
					tr.mu.Unlock()
				case <-time.After(10 * time.Second):
				case <-tr.stop:
					return
				}
			}
		}()
	}
	return tr
}

func (tr *traffic) halt() {
	tr.stopOnce.Do(func() { close(tr.stop) })
	tr.wg.Wait()
}

func (tr *traffic) endedBefore(at time.Time) []ended {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []ended
	for _, e := range tr.ended {
		if e.at.Before(at) {
			out = append(out, e)
		}
	}
	return out
}

// A node loses its database, spools its records, and is killed with
// SIGKILL in the middle of its calls. Restarted with the database back,
// it writes its spool: every call it ended before the kill is in MySQL
// exactly once, including those that ended while the database was away.
func TestKilledNodeWritesItsSpoolOnceAfterRestart(t *testing.T) {
	db := newSharedDatabase(t)
	cfg, err := mysql.ParseDSN(db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	link := newDBLink(t, cfg.Addr)
	viaLink := cfg.Clone()
	viaLink.Addr = link.addr
	n := newNode(t, 4, t.TempDir())
	body := strings.SplitN(sharedConfig, "cluster:\n", 2)[0] + "agents: []\n"
	body = strings.ReplaceAll(body, "@DSN@", viaLink.FormatDSN())
	body = strings.Replace(body, "  \"95599\": queued\n", "", 1)
	n.startFirst(body + "flows:\n  info:\n    start: bye\n    nodes:\n      bye: {type: hangup, prompts: [digit_4], self_service: true}\n")

	tr := startTraffic(t, n.sipAddr(), 3)
	defer tr.halt()
	waitFor(t, 10*time.Second, "calls written while the database is up", func() bool {
		rows, _ := db.calls(t, "")
		return rows >= 3
	})
	link.cut()
	cut := time.Now()
	waitFor(t, 15*time.Second, "records spooled while the database is away", func() bool {
		v, _ := n.metric("hotline_store_spool_records")
		return v >= 10
	})
	n.kill() // mid-traffic: calls are in progress
	killed := time.Now()
	tr.halt()
	during := 0
	for _, e := range tr.endedBefore(killed) {
		if e.at.After(cut) {
			during++
		}
	}
	if during == 0 {
		t.Fatal("no call ended while the database was away")
	}

	link.restore()
	n.start()
	t.Logf("restarted %s after the kill", time.Since(killed).Round(time.Millisecond))
	waitFor(t, 20*time.Second, "the spool written after the restart", func() bool {
		spooled, ok := n.metric("hotline_store_spool_records")
		up, _ := n.metric("hotline_store_up")
		return ok && spooled == 0 && up == 1
	})
	t.Logf("spool written %s after the kill", time.Since(killed).Round(time.Millisecond))
	must := tr.endedBefore(killed.Add(-500 * time.Millisecond))
	for _, e := range must {
		if rows, _ := db.calls(t, "call_id = ?", e.id); rows != 1 {
			t.Errorf("call %s ended %s before the kill: %d records, want 1", e.id, killed.Sub(e.at).Round(time.Millisecond), rows)
		}
	}
	rows, distinct := db.calls(t, "")
	if rows != distinct {
		t.Errorf("%d call records for %d calls: some written twice", rows, distinct)
	}
	tr.mu.Lock()
	attempts := tr.attempts
	tr.mu.Unlock()
	if rows > attempts {
		t.Errorf("%d call records for %d calls placed", rows, attempts)
	}
	t.Logf("%d calls placed, %d ended before the kill (%d while the database was away), %d records",
		attempts, len(tr.endedBefore(killed)), during, rows)
}
