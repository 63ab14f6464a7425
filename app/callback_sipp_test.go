package app

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/internal/freeport"
	"github.com/hotline-oss/hotline/internal/testphone"
)

// sippGateway runs SIPp as the callback gateway (a UAS taking calls calls)
// in the background; wait returns its outcome once it exits.
type sippGateway struct {
	uri  string
	done chan sippRun
}

func startSIPpGateway(t *testing.T, scenario string, calls int, extra ...string) *sippGateway {
	t.Helper()
	sipp := needSIPp(t)
	dir := t.TempDir()
	stageScenario(t, dir, scenario)
	sigPort, mediaPort := freeport.UDP(t, false), freeport.UDP(t, true)
	args := []string{
		"-sf", filepath.Join(dir, scenario),
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(sigPort), "-mp", strconv.Itoa(mediaPort),
		"-m", strconv.Itoa(calls), "-nostdin",
		"-timeout", "45s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, sipp, args...)
	cmd.Dir = dir
	g := &sippGateway{uri: fmt.Sprintf("sip:{number}@127.0.0.1:%d", sigPort), done: make(chan sippRun, 1)}
	go func() {
		defer cancel()
		out, err := cmd.CombinedOutput()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("killed after 60s: %w", err)
		}
		g.done <- sippRun{err: err, screen: string(out), dir: dir, scenario: scenario}
	}()
	t.Cleanup(func() {
		cancel()
		<-g.done
	})
	return g
}

func (g *sippGateway) wait(t *testing.T) sippRun {
	t.Helper()
	select {
	case run := <-g.done:
		g.done <- run // for the cleanup
		return run
	case <-time.After(50 * time.Second):
		t.Fatal("SIPp gateway did not finish")
	}
	return sippRun{}
}

// TestSIPpGatewayCallback: a caller takes a callback; an agent logs in,
// answers, and the server calls the customer through SIPp as the gateway.
// SIPp echoes the RTP it gets, so the agent hearing their own tone proves
// audio both ways through the gateway leg; the agent's hang-up reaches
// SIPp as BYE.
// customerAnswersCallback requests a callback from a new caller, logs
// agent 1001 in to take it and waits until the customer answered; it
// returns the callback's id and the agent's leg.
func (h *harness) customerAnswersCallback(t *testing.T) (string, *testphone.Call) {
	t.Helper()
	_, id := h.requestCallback("1")
	h.events.waitEnd(t, id)
	cbID := id + "-cb"
	agent := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	leg := waitIncoming(t, agent)
	h.events.wait(t, cbID, "customer answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered })
	return cbID, leg
}

func TestSIPpGatewayCallback(t *testing.T) {
	gw := startSIPpGateway(t, "callback_gateway.xml", 1, "-rtp_echo")
	h := start(t, acdTestConfig, callbackSetup(gw.uri, 3))
	cbID, leg := h.customerAnswersCallback(t)
	// "Connecting your callback" stops as the customer answers: a second
	// of audio now can only be the agent's tone coming back.
	leg.SendTone(1300)
	heard(t, leg, 50, "agent hears their tone echoed by the gateway")
	if err := leg.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, cbID)
	if end.Result != call.ResultAnsweredByAgent {
		t.Fatalf("callback ended %s/%s", end.Result, end.Reason)
	}
	run := gw.wait(t)
	run.requireSuccess(t)
	if msgs := run.log("messages.log"); !strings.Contains(msgs, "INVITE sip:13800000001@") {
		t.Fatalf("the gateway did not get an INVITE for the caller's number:\n%s", tail(msgs, 2000))
	}
}

// TestSIPpGatewayBusyGivesUp: SIPp answers every attempt with 486; after
// max_attempts the callback gives up and ends as abandoned.
func TestSIPpGatewayBusyGivesUp(t *testing.T) {
	gw := startSIPpGateway(t, "callback_gateway_busy.xml", 2)
	h := start(t, acdTestConfig, callbackSetup(gw.uri, 2))
	_, id := h.requestCallback("1")
	h.events.waitEnd(t, id)
	cbID := id + "-cb"
	h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	end := h.events.waitEnd(t, cbID)
	if end.Result != call.ResultAbandonedInQueue || end.Reason != "callback_gave_up" {
		t.Fatalf("callback ended %s/%s", end.Result, end.Reason)
	}
	if n := len(h.events.all(cbID, call.CallbackAttempted)); n != 3 {
		t.Fatalf("%d attempt events, want busy, busy, gave_up", n)
	}
	gw.wait(t).requireSuccess(t)
}
