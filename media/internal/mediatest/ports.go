package mediatest

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
)

// Loopback is the address the tests bind.
var Loopback = netip.MustParseAddr("127.0.0.1")

// FreeRange finds n consecutive even ports (and their odd neighbours) on
// loopback that are bindable right now, so pool tests can expect exact
// results on a machine where other tests bind ports too.
func FreeRange(t *testing.T, n int) (low, high int) {
	t.Helper()
	for range 50 {
		low = 20000 + 2*rand.IntN(15000)
		high = low + 2*(n-1)
		ok := true
		var held []*net.UDPConn
		for port := low; port <= high; port += 2 {
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(Loopback, uint16(port))))
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return low, high
		}
	}
	t.Fatal("no free port range found")
	return 0, 0
}
