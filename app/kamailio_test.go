package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/internal/kamailiotest"
	"github.com/hotline-oss/hotline/internal/testproc"
)

// kamailioConfigDir holds the Kamailio configurations the tests run.
const kamailioConfigDir = "../test/kamailio"

// kamailioProc is a Kamailio started by a test: in the foreground, on its
// own loopback address and free port, with its own runtime directory.
type kamailioProc struct {
	addr netip.AddrPort
	out  *testproc.Output
}

// count counts the log lines holding s.
func (k *kamailioProc) count(s string) int { return strings.Count(k.out.String(), s) }

func needKamailio(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kamailio")
	if err != nil {
		if path, err = exec.LookPath("/usr/sbin/kamailio"); err != nil {
			missingTool(t, "kamailio not found (apt-get install -y kamailio)")
		}
	}
	return path
}

// freeUDPOn returns a UDP port free on ip.
func freeUDPOn(t *testing.T, ip string) netip.AddrPort {
	t.Helper()
	c, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatalf("udp on %s: %v", ip, err)
	}
	defer c.Close()
	return netip.MustParseAddrPort(c.LocalAddr().String())
}

// startKamailio runs test/kamailio/<cfg> on ip (UDP and TCP, one port)
// with the given -A defines and waits until it answers OPTIONS. It is stopped when the test ends.
func startKamailio(t *testing.T, cfg, ip string, defines ...string) *kamailioProc {
	t.Helper()
	bin := needKamailio(t)
	dir := t.TempDir()
	k := &kamailioProc{addr: freeUDPOn(t, ip)}
	args := []string{
		"-f", filepath.Join(kamailioConfigDir, cfg),
		"-DD", "-E", "-m", "32", "-M", "4",
		"-P", filepath.Join(dir, "kamailio.pid"), "-Y", dir, "-w", dir,
		"-l", "udp:" + k.addr.String(), "-l", "tcp:" + k.addr.String(),
	}
	for _, d := range defines {
		args = append(args, "-A", d)
	}
	proc := kamailiotest.Start(t, "kamailio "+cfg, bin, args...)
	k.out = proc.Out
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if proc.Exited() {
			t.Fatalf("kamailio exited: %v\n%s", proc.Err(), tail(k.out.String(), 4000))
		}
		if sipOptionsAnswered(k.addr, 300*time.Millisecond) {
			return k
		}
	}
	t.Fatalf("kamailio did not answer OPTIONS on %s:\n%s", k.addr, tail(k.out.String(), 4000))
	return nil
}

// sipOptionsAnswered sends one OPTIONS over UDP and reports whether any
// response came back within wait.
func sipOptionsAnswered(to netip.AddrPort, wait time.Duration) bool {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return false
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK%d\r\n"+
		"From: <sip:probe@%s>;tag=p1\r\nTo: <sip:%s>\r\nCall-ID: probe-%d\r\nCSeq: 1 OPTIONS\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", to, local, time.Now().UnixNano(), local, to, time.Now().UnixNano())
	if _, err := c.WriteTo([]byte(msg), net.UDPAddrFromAddrPort(to)); err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 4096)
	n, _, err := c.ReadFrom(buf)
	return err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 "))
}

// runSIPpFrom is runSIPp from a given local address to a given target.
func runSIPpFrom(t *testing.T, local string, target netip.AddrPort, scenario, service string, extra ...string) sippRun {
	t.Helper()
	sipp := needSIPp(t)
	dir := t.TempDir()
	stageScenario(t, dir, scenario)
	sig, media := freeUDPOn(t, local), freeUDPOn(t, local)
	args := []string{
		target.String(), "-sf", filepath.Join(dir, scenario), "-s", service,
		"-i", local, "-mi", local, "-p", fmt.Sprint(sig.Port()), "-mp", fmt.Sprint(media.Port() &^ 1),
		"-m", "1", "-l", "1", "-nostdin", "-timeout", "20s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
	}
	args = append(args, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), sippDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, sipp, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return sippRun{err: err, screen: string(out), dir: dir, scenario: scenario}
}

// silentUDP is a trunk that has stopped answering: it reads what is sent
// to it and never replies. methods lists the request methods it got.
type silentUDP struct {
	addr netip.AddrPort
	mu   sync.Mutex
	got  []string
}

func startSilentUDP(t *testing.T, ip string) *silentUDP {
	t.Helper()
	c, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	s := &silentUDP{addr: netip.MustParseAddrPort(c.LocalAddr().String())}
	t.Cleanup(func() { _ = c.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			method, _, _ := strings.Cut(string(buf[:n]), " ")
			s.mu.Lock()
			s.got = append(s.got, method)
			s.mu.Unlock()
		}
	}()
	return s
}

func (s *silentUDP) methods() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}
