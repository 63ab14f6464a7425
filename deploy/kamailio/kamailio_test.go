// Package kamailio_test runs the shipped Kamailio front (kamailio.cfg) on
// loopback in front of two stand-in nodes and checks that it spreads
// calls, takes a silent node out through its OPTIONS probes, brings it
// back, and moves a call refused with 503 to the next node.
//
// It runs the file as it ships: what differs between a test and a
// deployment (addresses, the dispatcher list, timers) is passed with -A
// defines, never by editing or copying kamailio.cfg.
package kamailio_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/freeport"
	"github.com/hotline-oss/hotline/internal/kamailiotest"
	"github.com/hotline-oss/hotline/internal/testproc"
)

// front is a running kamailio with the shipped configuration.
type front struct {
	addr *net.UDPAddr
	kamailiotest.Front
}

func needKamailio(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kamailio is not installed (CI runs every test; apt-get install kamailio)")
		}
		t.Skip("kamailio is not installed (apt-get install kamailio)")
	}
	if _, err := exec.LookPath("kamcmd"); err != nil {
		t.Fatalf("kamailio is installed without kamcmd, which the test reads the dispatcher's state with: %v", err)
	}
	return bin
}

func startFront(t *testing.T, nodes ...*responder) *front {
	t.Helper()
	bin := needKamailio(t)
	port := freeport.UDP(t, false)
	f := &front{addr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}}
	f.Front = kamailiotest.Front{Config: "kamailio.cfg", Dir: t.TempDir(), Listen: f.addr.String(),
		ProbeInterval: time.Second, NodeTimeout: 800 * time.Millisecond}
	for i, n := range nodes {
		f.Nodes = append(f.Nodes, kamailiotest.Node{Addr: n.addr(), ID: fmt.Sprintf("node%d", i+1)})
	}
	kamailiotest.Start(t, "kamailio", bin, f.Args(t)...)
	return f
}

// call sends one INVITE through the front, waits for its final answer,
// acknowledges it and returns the code and the node that answered.
func (f *front) call(t *testing.T, n int) (code, node string) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	ruri := fmt.Sprintf("sip:95598@%s", f.addr)
	branch := fmt.Sprintf("z9hG4bK-test-%d-%d", n, time.Now().UnixNano())
	callID := fmt.Sprintf("call-%d-%d@test", n, time.Now().UnixNano())
	common := fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=%s;rport\r\nMax-Forwards: 70\r\nFrom: <sip:1001@127.0.0.1>;tag=c%d\r\nCall-ID: %s\r\n", local, branch, n, callID)
	invite := fmt.Sprintf("INVITE %s SIP/2.0\r\n%sTo: <%s>\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@%s>\r\nContent-Length: 0\r\n\r\n", ruri, common, ruri, local)
	if _, err := c.WriteToUDP([]byte(invite), f.addr); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8192)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		nr, _, err := c.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("call %d: no final answer: %v", n, err)
		}
		msg := string(buf[:nr])
		status := strings.SplitN(strings.SplitN(msg, "\r\n", 2)[0], " ", 3)
		if len(status) < 2 || status[1] < "200" {
			continue // 100 Trying
		}
		ack := fmt.Sprintf("ACK %s SIP/2.0\r\n%sTo: %s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n", ruri, common, header(msg, "To"))
		_, _ = c.WriteToUDP([]byte(ack), f.addr)
		return status[1], header(msg, "X-Node")
	}
}

func TestFrontSpreadsCallsAndProbesNodesOut(t *testing.T) {
	n1 := newResponder(t, "node1", "127.0.0.11")
	n2 := newResponder(t, "node2", "127.0.0.12")
	f := startFront(t, n1, n2)
	testproc.WaitFor(t, 10*time.Second, "both nodes probed", func() bool {
		_, o1 := n1.counts()
		_, o2 := n2.counts()
		return o1 > 0 && o2 > 0
	})

	// Spread: round robin over both nodes.
	got := map[string]int{}
	for i := range 10 {
		code, node := f.call(t, i)
		if code != "486" {
			t.Fatalf("call %d answered %s by %q", i, code, node)
		}
		got[node]++
	}
	if got["node1"] < 3 || got["node2"] < 3 {
		t.Fatalf("calls not spread: %v", got)
	}

	// A dead node: the probe takes it out, after which it sees no call.
	n2.setMode("silent")
	testproc.WaitFor(t, 10*time.Second, "node2 marked inactive", func() bool { return strings.HasPrefix(f.State(n2.addr()), "I") })
	before, _ := n2.counts()
	for i := range 6 {
		if code, node := f.call(t, 100+i); code != "486" || node != "node1" {
			t.Fatalf("with node2 down, call %d: %s by %q", i, code, node)
		}
	}
	if after, _ := n2.counts(); after != before {
		t.Fatalf("node2 got %d INVITEs after the probe took it out", after-before)
	}

	// It comes back: the probe brings it in again.
	n2.setMode("up")
	testproc.WaitFor(t, 10*time.Second, "node2 active again", func() bool { return strings.HasPrefix(f.State(n2.addr()), "A") })
	got = map[string]int{}
	for i := range 6 {
		_, node := f.call(t, 200+i)
		got[node]++
	}
	if got["node2"] == 0 {
		t.Fatalf("node2 back but no call reached it: %v", got)
	}

	// A node that refuses with 503 (it lost NATS): the call moves on.
	n1.setMode("503")
	inv1, _ := n1.counts()
	for i := range 4 {
		if code, node := f.call(t, 300+i); code != "486" || node != "node2" {
			t.Fatalf("with node1 refusing, call %d: %s by %q", i, code, node)
		}
	}
	if after, _ := n1.counts(); after == inv1 {
		t.Fatal("node1 was never tried, so the 503 failover was not exercised")
	}
}
