package sip

import (
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// TestTCPIdleConnectionsAreClosed opens TCP connections that send nothing
// and half a message: with a 1 s idle timeout the server closes both, and
// the goroutines reading them end. A third connection sending RFC 5626
// CRLF pings stays open past the timeout, then is closed once it stops.
func TestTCPIdleConnectionsAreClosed(t *testing.T) {
	g := startGuarded(t, func(c *Config) {
		c.Transports = []string{"udp", "tcp"}
		c.TCPIdleTimeout = time.Second
	})
	addr := g.Addr().String()
	base := runtime.NumGoroutine()

	silent := dialTCP(t, addr)
	partial := dialTCP(t, addr)
	if _, err := partial.Write([]byte("OPTIONS sip:95598@" + addr + " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-idle\r\n")); err != nil {
		t.Fatal(err)
	}
	pinging := dialTCP(t, addr)
	start := time.Now()
	for time.Since(start) < 2500*time.Millisecond {
		if _, err := pinging.Write([]byte("\r\n\r\n")); err != nil {
			t.Fatalf("ping after %v: %v", time.Since(start), err)
		}
		pong := make([]byte, 2)
		_ = pinging.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := io.ReadFull(pinging, pong); err != nil || string(pong) != "\r\n" {
			t.Fatalf("pong after %v: %q %v", time.Since(start), pong, err)
		}
		time.Sleep(300 * time.Millisecond) // the client's ping interval
	}
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("pinging lasted only %v", d)
	}
	for name, c := range map[string]net.Conn{"silent": silent, "partial": partial, "pinging": pinging} {
		waitClosed(t, name, c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines %d, want back to %d", runtime.NumGoroutine(), base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitClosed reads until the server closes the connection (EOF or reset),
// failing if it is still open after 5 s.
func waitClosed(t *testing.T, name string, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("%s connection still open 5 s later", name)
		}
		return
	}
}
