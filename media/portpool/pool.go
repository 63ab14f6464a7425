package portpool

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// Port pool errors.
var (
	ErrNoPorts          = errors.New("media: no free RTP port")
	ErrInvalidPortRange = errors.New("media: invalid RTP port range")
)

// handOver hands an RTCP socket from Acquire to the stream built on the
// RTP socket, keyed by the RTP socket. The pool binds both ports of the
// pair and closes the RTCP one on Release; the key lets a stream be built
// from the RTP socket alone, so signalling code needs no second socket.
var handOver sync.Map // *net.UDPConn (RTP) -> *net.UDPConn (RTCP)

// TakeRTCP returns the RTCP socket Acquire bound beside rtp, once: the
// stream built on rtp owns it from then on (the pool still closes it on
// Release). false when rtp did not come from a pool or was taken already.
func TakeRTCP(rtp *net.UDPConn) (*net.UDPConn, bool) {
	c, ok := handOver.LoadAndDelete(rtp)
	if !ok {
		return nil, false
	}
	return c.(*net.UDPConn), true
}

// Pool hands out RTP sockets on even ports of a configured range.
//
// RTP uses the even port and, by RFC 3550 convention, RTCP the odd port
// above it. Acquire binds both; the stream built on the RTP socket picks
// up the RTCP one (see TakeRTCP), and Release closes it, so a port pair
// is always taken and given back whole.
type Pool struct {
	ip   netip.Addr
	low  int
	size int // number of even ports in the range

	mu    sync.Mutex
	inUse []bool         // by (port-low)/2
	rtcp  []*net.UDPConn // the RTCP socket of each pair in use
	count int
	next  int // where the next search starts
}

// New covers the even ports from low to high inclusive on ip.
// low must be even and low < high, both within 1024..65534 (65534 leaves
// 65535 for its RTCP). Use an unspecified ip to bind all interfaces.
func New(ip netip.Addr, low, high int) (*Pool, error) {
	switch {
	case !ip.IsValid():
		return nil, fmt.Errorf("%w: no IP address", ErrInvalidPortRange)
	case low%2 != 0:
		return nil, fmt.Errorf("%w: low port %d is odd", ErrInvalidPortRange, low)
	case low >= high:
		return nil, fmt.Errorf("%w: low %d is not below high %d", ErrInvalidPortRange, low, high)
	case low < 1024 || high > 65534:
		return nil, fmt.Errorf("%w: %d-%d outside 1024-65534", ErrInvalidPortRange, low, high)
	}
	size := (high-low)/2 + 1
	return &Pool{ip: ip, low: low, size: size, inUse: make([]bool, size), rtcp: make([]*net.UDPConn, size)}, nil
}

// Acquire binds the next free even port and returns its socket. The search
// starts after the last port handed out, so a released port is not reused
// at once and late packets of an ended call do not reach a new one. Ports
// the OS refuses (taken by another process) are skipped; ErrNoPorts means
// every port was in use or refused.
func (p *Pool) Acquire() (*net.UDPConn, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var lastErr error
	for i := range p.size {
		index := (p.next + i) % p.size
		if p.inUse[index] {
			continue
		}
		port := p.low + 2*index
		conn, rtcpConn, err := p.bindPair(port)
		if err != nil {
			lastErr = err
			continue
		}
		handOver.Store(conn, rtcpConn)
		p.rtcp[index] = rtcpConn
		p.inUse[index] = true
		p.count++
		p.next = (index + 1) % p.size
		return conn, port, nil
	}
	if lastErr != nil {
		return nil, 0, fmt.Errorf("%w in %d-%d (last bind error: %v)", ErrNoPorts, p.low, p.low+2*(p.size-1), lastErr)
	}
	return nil, 0, fmt.Errorf("%w in %d-%d: all %d in use", ErrNoPorts, p.low, p.low+2*(p.size-1), p.size)
}

// Release returns port to the pool. The caller closes the socket; releasing
// a port that is not in use is a no-op.
func (p *Pool) Release(port int) {
	index := (port - p.low) / 2
	if port%2 != 0 || index < 0 || index >= p.size {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inUse[index] {
		p.inUse[index] = false
		p.count--
		if c := p.rtcp[index]; c != nil {
			// Closing again after the stream did is harmless; this close
			// matters when no stream was ever built on the pair.
			_ = c.Close()
			p.rtcp[index] = nil
			handOver.Range(func(k, v any) bool {
				if v == c {
					handOver.Delete(k)
					return false
				}
				return true
			})
		}
	}
}

// bindPair binds port for RTP and port+1 for RTCP, or neither.
func (p *Pool) bindPair(port int) (*net.UDPConn, *net.UDPConn, error) {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.ip, uint16(port))))
	if err != nil {
		return nil, nil, err
	}
	rtcpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(p.ip, uint16(port+1))))
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("RTCP port %d: %w", port+1, err)
	}
	return conn, rtcpConn, nil
}

// InUse returns how many ports are handed out.
func (p *Pool) InUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// Size returns how many ports the pool covers.
func (p *Pool) Size() int { return p.size }
