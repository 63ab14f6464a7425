package app

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// Callbacks requested while the database cannot be reached survive a
// restart during the outage: one answered before the restart is not
// dialled again, the one still pending is restored once the database is
// back and dialled once, as is one requested after the restart, and none
// leaves a row. MariaDB itself keeps
// running: the server reaches it through a proxy that is not there yet.
func TestCallbackRequestedDuringOutageSurvivesRestart(t *testing.T) {
	base := os.Getenv(mysqlDSNEnv)
	if base == "" {
		missingTool(t, mysqlDSNEnv+" is not set (the test needs MariaDB behind a proxy)")
	}
	db := newOutageDatabase(t, base)
	mc, err := mysql.ParseDSN(db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	target, hole := mc.Addr, unusedAddr(t)
	mc.Addr, mc.Timeout = hole, 2*time.Second
	gw := gatewayPhone(t, testphone.AutoAnswer)
	dataDir := t.TempDir()
	setup := func(c *config.Config) {
		callbackSetup("sip:{number}@"+gw.Addr(), 3)(c)
		c.DataDir, c.Database.DSN = dataDir, mc.FormatDSN()
	}

	var answeredID, pendingID string
	t.Run("during the outage", func(t *testing.T) {
		answeredID, pendingID = callbacksDuringOutage(t, start(t, acdTestConfig, setup), gw)
	})

	h := start(t, acdTestConfig, setup) // restarted, the database still away
	if got := h.metric("hotline_callbacks_pending", "queue", "general"); got != 0 {
		t.Fatalf("pending before the database is back = %v, want 0", got)
	}
	// A callback of this run, saved while the restore waits, is not taken
	// for a saved one when the restore comes.
	_, id := h.requestCallback("1")
	h.waitCallbackRequest(id)
	newID := id + "-cb"
	startDBProxy(t, hole, target)
	h.flushStore()
	waitFor(t, "the saved callback restored", 15*time.Second, func() bool {
		return h.metric("hotline_callbacks_pending", "queue", "general") == 2
	})
	h.callbacksDialledOnce(t, gw, answeredID, pendingID, newID)
	h.flushStore()
	if n := db.countRows(t, "callbacks", ""); n != 0 {
		t.Errorf("callback rows after all ended: %d, want 0", n)
	}
	if saved, err := h.srv.Store().PendingCallbacks(context.Background()); err != nil || len(saved) != 0 {
		t.Errorf("pending callbacks after all ended: %+v, %v", saved, err)
	}
}

// callbacksDuringOutage has one callback requested and answered and
// another requested and left pending, the database unreachable; it
// returns both callbacks' call ids.
func callbacksDuringOutage(t *testing.T, h *harness, gw *testphone.Phone) (answeredID, pendingID string) {
	t.Helper()
	_, id := h.requestCallback("1")
	h.waitCallbackRequest(id)
	answeredID = id + "-cb"
	agent := h.answerCallback(t, gw, answeredID)
	h.feature(agent, "*22")
	h.events.wait(t, "", "logged out", func(e call.Event) bool {
		return e.Kind == call.AgentStateChanged && e.Agent == "1001" && e.State == "logged_out"
	})

	_, id = h.requestCallback("1")
	h.waitCallbackRequest(id)
	pendingID = id + "-cb"
	if _, err := h.srv.Store().PendingCallbacks(context.Background()); !errors.Is(err, store.ErrDatabaseUnavailable) {
		t.Errorf("pending callbacks during the outage: %v, want ErrDatabaseUnavailable", err)
	}
	return answeredID, pendingID
}

// callbacksDialledOnce has agent 1001 answer the two callbacks due after
// the restart and checks that each was answered once and the one
// answered before the restart not again.
func (h *harness) callbacksDialledOnce(t *testing.T, gw *testphone.Phone, answeredID, pendingID, newID string) {
	t.Helper()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	for range 2 {
		leg := waitIncoming(t, agent)
		cust := waitIncoming(t, gw)
		if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		<-cust.Done()
	}
	for _, id := range []string{pendingID, newID} {
		if end := h.events.waitEnd(t, id); end.Result != call.ResultAnsweredByAgent {
			t.Errorf("callback %s ended %s/%s, want answered", id, end.Result, end.Reason)
		}
		if n := len(h.events.all(id, call.AgentAnswered)); n != 1 {
			t.Errorf("callback %s was answered %d times, want 1", id, n)
		}
	}
	if n := len(h.events.all(answeredID, call.AgentAnswered)); n != 0 {
		t.Errorf("the callback answered before the restart was dialled again (%d answers)", n)
	}
}

// answerCallback has agent 1001 log in and answer the callback cbID and the
// customer at gw pick up; the agent hangs up and the callback must end
// answered. It returns the agent's phone.
func (h *harness) answerCallback(t *testing.T, gw *testphone.Phone, cbID string) *testphone.Phone {
	t.Helper()
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	cust := waitIncoming(t, gw)
	h.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	<-cust.Done()
	if end := h.events.waitEnd(t, cbID); end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("callback ended %s/%s, want answered", end.Result, end.Reason)
	}
	return agent
}

func unusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startDBProxy forwards connections from addr to target until the test
// ends.
func startDBProxy(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = down.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, down, up)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(up, down); _ = up.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(down, up); _ = down.Close() }()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}
