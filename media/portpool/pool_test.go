package portpool

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
)

func TestNewPortPoolValidation(t *testing.T) {
	cases := []struct {
		ip        netip.Addr
		low, high int
	}{
		{netip.Addr{}, 20000, 20010},
		{mediatest.Loopback, 20001, 20010},
		{mediatest.Loopback, 20000, 20000},
		{mediatest.Loopback, 20010, 20000},
		{mediatest.Loopback, 1022, 2000},
		{mediatest.Loopback, 60000, 65535},
	}
	for _, tc := range cases {
		if _, err := New(tc.ip, tc.low, tc.high); !errors.Is(err, ErrInvalidPortRange) {
			t.Errorf("NewPortPool(%v, %d, %d): err = %v", tc.ip, tc.low, tc.high, err)
		}
	}
	p, err := New(mediatest.Loopback, 1024, 65534)
	if err != nil || p.Size() != (65534-1024)/2+1 {
		t.Fatalf("full range: %v, size %d", err, p.Size())
	}
	p, err = New(mediatest.Loopback, 20000, 20005)
	if err != nil || p.Size() != 3 {
		t.Fatalf("odd high: %v, size %d", err, p.Size())
	}
}

func TestPortPoolExhaustionAndRoundRobin(t *testing.T) {
	low, high := mediatest.FreeRange(t, 3)
	pool, err := New(mediatest.Loopback, low, high)
	if err != nil {
		t.Fatal(err)
	}
	conns := map[int]*net.UDPConn{}
	for range 3 {
		c, port, err := pool.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		if port%2 != 0 || port < low || port > high || conns[port] != nil {
			t.Fatalf("bad port %d", port)
		}
		if got := c.LocalAddr().(*net.UDPAddr).Port; got != port {
			t.Fatalf("socket on %d, reported %d", got, port)
		}
		conns[port] = c
	}
	if pool.InUse() != 3 {
		t.Fatalf("InUse = %d", pool.InUse())
	}
	if _, _, err := pool.Acquire(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("4th Acquire: err = %v", err)
	}
	// Free the first port: it is the only one, so it comes back.
	conns[low].Close()
	pool.Release(low)
	pool.Release(low) // idempotent
	pool.Release(low + 1)
	pool.Release(high + 2)
	if pool.InUse() != 2 {
		t.Fatalf("InUse after release = %d", pool.InUse())
	}
	c, port, err := pool.Acquire()
	if err != nil || port != low {
		t.Fatalf("reacquire: port %d, %v", port, err)
	}
	c.Close()
	for p, c := range conns {
		if p != low {
			c.Close()
		}
	}
}

func TestPortPoolDoesNotReuseAtOnce(t *testing.T) {
	low, high := mediatest.FreeRange(t, 4)
	pool, _ := New(mediatest.Loopback, low, high)
	var seen []int
	for range 4 {
		c, port, err := pool.Acquire()
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		pool.Release(port)
		seen = append(seen, port)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] == seen[i-1] {
			t.Fatalf("port reused immediately: %v", seen)
		}
	}
}

func TestPortPoolSkipsRefusedPorts(t *testing.T) {
	low, high := mediatest.FreeRange(t, 2)
	squatter, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(mediatest.Loopback, uint16(low))))
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	pool, _ := New(mediatest.Loopback, low, high)
	c, port, err := pool.Acquire()
	if err != nil || port != high {
		t.Fatalf("got port %d, %v; want %d", port, err, high)
	}
	defer c.Close()
	_, _, err = pool.Acquire()
	if !errors.Is(err, ErrNoPorts) {
		t.Fatalf("err = %v, want ErrNoPorts", err)
	}
}

func TestPortPoolConcurrent(t *testing.T) {
	low, high := mediatest.FreeRange(t, 40)
	pool, _ := New(mediatest.Loopback, low, high)
	var mu sync.Mutex
	held := map[int]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				c, port, err := pool.Acquire()
				if err != nil {
					continue // other tests may hold ports briefly
				}
				mu.Lock()
				if held[port] {
					t.Errorf("port %d handed out twice", port)
				}
				held[port] = true
				mu.Unlock()
				c.Close()
				mu.Lock()
				delete(held, port)
				mu.Unlock()
				pool.Release(port)
			}
		})
	}
	wg.Wait()
	if pool.InUse() != 0 {
		t.Fatalf("InUse = %d after all released", pool.InUse())
	}
}
