package store

import (
	"context"
	"errors"
	"io"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// These tests use real sockets: a port nobody listens on, a server that
// accepts and never speaks, and a proxy in front of the real MariaDB that
// the test starts and stops to stage an outage and the return.

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// proxiedMySQLEnv gives a test environment on a fresh MySQL database that
// the store reaches only through hole, where the test starts and stops a
// proxy to target, the real server.
func proxiedMySQLEnv(t *testing.T) (env *testEnv, hole, target string) {
	t.Helper()
	mc, err := mysql.ParseDSN(freshMySQLDatabase(t, mysqlBaseDSN(t)))
	if err != nil {
		t.Fatal(err)
	}
	target, hole = mc.Addr, freeAddr(t)
	mc.Addr, mc.Timeout = hole, 2*time.Second
	env = &testEnv{dialect: dialectMySQL, dsn: mc.FormatDSN(), dataDir: t.TempDir(), clock: newFakeClock()}
	return env, hole, target
}

// tcpProxy forwards connections to target. Stopping it closes the listener
// and every connection it carries, as a server that dies would.
type tcpProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu      sync.Mutex
	conns   []net.Conn
	stopped bool
}

func startProxy(t *testing.T, addr, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &tcpProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) serve() {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = down.Close()
			continue
		}
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			_, _ = down.Close(), up.Close()
			return
		}
		p.conns = append(p.conns, down, up)
		p.wg.Add(2)
		p.mu.Unlock()
		go p.copy(up, down)
		go p.copy(down, up)
	}
}

func (p *tcpProxy) copy(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_, _ = dst.Close(), src.Close()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// A host that accepts and never answers (a hung server, a firewall that
// swallows the handshake) holds Open only as long as its ctx allows.
func TestOpenGivesUpOnASilentDatabaseWithinCtx(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted = append(accepted, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range accepted {
			_ = c.Close()
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	opened := make(chan error, 1)
	var s *Store
	go func() {
		var err error
		s, err = Open(ctx, Config{DSN: "mysql://hotline:pw@tcp(" + ln.Addr().String() + ")/hotline",
			DataDir: t.TempDir(), RetryMin: time.Hour, RetryMax: time.Hour})
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("open against a silent server: %v, want a store waiting for its database", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("open did not return after its ctx expired")
	}
	defer s.Close(context.Background())
	if st := s.Stats(); st.DatabaseConnected || !errors.Is(st.LastError, ErrDatabaseUnavailable) {
		t.Errorf("stats = %+v", st)
	}
}

// The database is down when the server starts (nothing listens on its
// port), comes up (the proxy starts), goes away with the connections in
// use, and comes back: every record reaches it once, in order.
func TestMySQLOutageAtStartupThroughAProxy(t *testing.T) {
	env, hole, target := proxiedMySQLEnv(t)
	fs := &faultySink{}
	written := make(chan int, 256)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, env.config(withFaults(fs), func(c *Config) {
		c.RetryMin, c.RetryMax = 10*time.Millisecond, 50*time.Millisecond
		c.Hooks.RowsWritten = func(n int) { written <- n }
	}))
	if err != nil {
		t.Fatalf("open with the database down: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if ctx.Err() != nil {
		t.Fatal("open outlived its ctx")
	}

	ids := callIDs("px", 20)
	for i, id := range ids {
		quickCall(id, at(float64(i))).feed(s.Recorder())
	}
	spooled(t, s)
	if st := s.Stats(); st.DatabaseConnected || st.SpoolRecords != len(ids) || st.Queued != 0 {
		t.Fatalf("stats with the database down = %+v", st)
	}
	proxy := startProxy(t, hole, target)
	waitWritten(t, written, len(ids))
	flush(t, s)
	if got := fs.order(); !reflect.DeepEqual(got, ids) {
		t.Fatalf("written order = %v, want %v", got, ids)
	}

	proxy.stop()
	more := callIDs("px-mid", 5)
	for i, id := range more {
		quickCall(id, at(float64(100+i))).feed(s.Recorder())
	}
	if err := s.Flush(context.Background()); err == nil {
		t.Fatal("flush succeeded with the database gone")
	}
	startProxy(t, hole, target)
	waitWritten(t, written, len(more))
	flush(t, s)
	all := slices.Concat(ids, more)
	if got := fs.order(); !reflect.DeepEqual(got, all) {
		t.Fatalf("written order = %v, want %v", got, all)
	}
	if n := count(t, s, "calls", ""); n != len(all) {
		t.Errorf("calls = %d, want %d", n, len(all))
	}
	if st := s.Stats(); !st.DatabaseConnected || st.SpoolRecords != 0 || st.LastError != nil {
		t.Errorf("stats after the database came back = %+v", st)
	}
}

// A wrong password is not an outage: Open fails at once and says why.
func TestMySQLWrongPasswordFailsOpen(t *testing.T) {
	mc, err := mysql.ParseDSN(mysqlBaseDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	mc.Passwd = "certainly-not-the-password"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{DSN: mc.FormatDSN(), DataDir: t.TempDir()})
	if err == nil {
		// An unreachable server opens the store degraded; say which it was.
		last := s.Stats().LastError
		_ = s.Close(context.Background())
		t.Fatalf("open with a wrong password succeeded (last error: %v)", last)
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1045 || errors.Is(err, ErrDatabaseUnavailable) {
		t.Fatalf("err = %v, want access denied (1045)", err)
	}
	if ctx.Err() != nil {
		t.Error("open waited for its ctx instead of failing at once")
	}
	if strings.Contains(err.Error(), mc.Passwd) {
		t.Errorf("password in the error: %v", err)
	}
}
