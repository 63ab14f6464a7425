package rtcpsess

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// nullConn accepts writes and never reads.
type nullConn struct{ writes int }

func (*nullConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, nil
}

func (c *nullConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) {
	c.writes++
	return len(b), nil
}

func (*nullConn) Close() error { return nil }

func TestCNAMEIsPrintable(t *testing.T) {
	var x Session
	x.Attach(nil, 0xFFFE0001)
	if len(x.cname) != len("hotline-")+4 {
		t.Fatalf("CNAME %q", x.cname)
	}
	for _, c := range x.cname[len("hotline-"):] {
		if c < 'a' || c > 'z' {
			t.Fatalf("CNAME %q not printable", x.cname)
		}
	}
}

// Nothing is due without a socket or before Start; the first due check
// only schedules, and reports then come every 0.5–1.5 intervals.
func TestDueSchedules(t *testing.T) {
	var x Session
	if x.Due(time.Hour) {
		t.Fatal("due without a socket")
	}
	x.Attach(&nullConn{}, 1)
	if x.Due(time.Hour) {
		t.Fatal("due before Start")
	}
	x.Start(time.Now(), nil)
	if x.Due(0) {
		t.Fatal("the first check only schedules")
	}
	if x.next < Interval/2 || x.next >= Interval*3/2 {
		t.Fatalf("first report at %v", x.next)
	}
	if x.Due(x.next-1) || !x.Due(x.next) {
		t.Fatal("not due exactly at its time")
	}
}

func TestDestination(t *testing.T) {
	var x Session
	rtp := netip.MustParseAddrPort("192.0.2.1:4000")
	if got := x.destination(rtp); got != netip.MustParseAddrPort("192.0.2.1:4001") {
		t.Fatalf("destination %v, want the RTP port + 1", got)
	}
	for _, bad := range []netip.AddrPort{{}, netip.MustParseAddrPort("192.0.2.1:0"), netip.MustParseAddrPort("192.0.2.1:65535")} {
		if got := x.destination(bad); got.IsValid() {
			t.Fatalf("destination for %v is %v", bad, got)
		}
	}
	src := netip.MustParseAddrPort("192.0.2.9:5555")
	rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 5}})
	var seen []Direction
	x.Start(time.Now(), func(d Direction) { seen = append(seen, d) })
	x.Handle(rr, src, time.Second, 7, nil)
	x.Handle([]byte{1, 2, 3}, src, time.Second, 7, nil)
	if got := x.destination(rtp); got != src {
		t.Fatalf("destination %v, want the latched RTCP source %v", got, src)
	}
	if len(seen) != 2 || seen[0] != Received || seen[1] != Invalid {
		t.Fatalf("observed %v", seen)
	}
}
