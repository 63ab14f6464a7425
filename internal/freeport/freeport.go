// Package freeport finds loopback ports for the external peers the tests
// start (SIPp, Kamailio, softphones), which cannot be told to bind port 0.
//
// It is for tests only: nothing in the server imports it.
package freeport

import (
	"net"
	"testing"
)

// UDP finds a loopback UDP port nobody uses. SIPp binds the RTP echo's
// second stream at port+2, so with media the port is even and port+2 is
// free too. The ports are released before the peer binds them: another
// process could take them in between, which on a test machine is unlikely
// enough.
func UDP(t testing.TB, media bool) int {
	t.Helper()
	for range 100 {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		if !media {
			_ = c.Close()
			return port
		}
		if port%2 != 0 || port+2 > 65535 {
			_ = c.Close()
			continue
		}
		c2, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port + 2})
		_ = c.Close()
		if err == nil {
			_ = c2.Close()
			return port
		}
	}
	t.Fatal("no free even UDP port pair for media")
	return 0
}
