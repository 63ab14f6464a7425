package rtcpsess

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"

	"github.com/hotline-oss/hotline/media/rtpstats"
	"github.com/hotline-oss/hotline/media/srtp"
)

const (
	// Interval is the nominal report interval (RFC 3550 §6.2 minimum).
	Interval = 5 * time.Second
	// BufferSize holds any RTCP datagram that fits an Ethernet MTU.
	BufferSize = 1500
)

// Direction says which way an RTCP packet went, for the observer.
type Direction uint8

const (
	Received Direction = iota
	Sent
	Invalid
)

// Conn is the part of the RTCP socket a session and its reader use.
type Conn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	Close() error
}

// Session is a stream's RTCP side; its zero value has no socket. Handle
// is called from one goroutine at a time (the stream's RTCP read loop);
// Start, Due and Send by whoever holds the stream's send lock; Quality
// from anywhere.
type Session struct {
	conn    Conn      // nil: no RTCP socket (tests, or bound elsewhere)
	epoch   time.Time // wall-clock instant of time 0 on the stream's clock
	observe func(Direction)
	plain   [BufferSize]byte // decrypted SRTCP, owned by Handle

	mu   sync.Mutex // guards peer
	peer rtpstats.Peer

	received, sent, invalid atomic.Uint64

	// The sending side, guarded by the stream's send lock.
	started bool
	cname   []byte
	next    time.Duration // time of the next report; 0 = not scheduled
	report  rtpstats.Reporter
	buf     [rtpstats.ReportSize]byte
	sealed  [rtpstats.ReportSize + 32]byte // SRTCP adds index and tag
}

// Attach gives the session its socket (nil: none) and the CNAME of the
// stream whose SSRC is ssrc. Call it before Start.
func (x *Session) Attach(conn Conn, ssrc uint32) {
	x.conn = conn
	x.setCNAME(ssrc)
}

// setCNAME sets the SDES CNAME (RFC 3550 §6.5.1): a per-stream random
// identifier, since the user@host form would reveal the host to callers.
func (x *Session) setCNAME(ssrc uint32) {
	x.cname = binary.BigEndian.AppendUint32([]byte("hotline-"), ssrc)
	for i := len("hotline-"); i < len(x.cname); i++ {
		x.cname[i] = 'a' + x.cname[i]%26 // printable
	}
}

// Start puts the session on the stream's clock (whose time 0 is epoch)
// and turns sending on. observe, if not nil, is called once per RTCP
// packet received, sent or rejected as malformed, on media goroutines: it
// must be quick and not allocate.
func (x *Session) Start(epoch time.Time, observe func(Direction)) {
	x.epoch, x.observe, x.started = epoch, observe, true
}

// Conn returns the socket, nil if none, for the stream's read loop.
func (x *Session) Conn() Conn { return x.conn }

// Close closes the socket and reports whether there was one.
func (x *Session) Close() bool {
	if x.conn == nil {
		return false
	}
	_ = x.conn.Close()
	return true
}

// Handle parses one datagram from src received at now and takes what
// concerns the stream whose SSRC is ours from it; sec, if not nil, must
// authenticate it first. A datagram that is not a valid compound packet is
// counted and ignored whole (RFC 3550 A.2 validity checks, done by pion
// plus the version and first-packet-type checks of rtpstats).
func (x *Session) Handle(pkt []byte, src netip.AddrPort, now time.Duration, ours uint32, sec *srtp.Session) {
	var packets []rtcp.Packet
	var err error
	if sec != nil {
		// SRTCP: authenticate first; a forged report must not count.
		pkt, err = sec.DecryptRTCP(x.plain[:0], pkt)
	}
	if err == nil {
		packets, err = rtcp.Unmarshal(pkt)
	}
	if err != nil || !rtpstats.ValidCompound(pkt) {
		x.invalid.Add(1)
		x.notify(Invalid)
		return
	}
	x.received.Add(1)
	x.notify(Received)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.peer.Source = src
	for _, p := range packets {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			x.peer.LastSR = uint32(p.NTPTime >> 16)
			x.peer.LastSRAt, x.peer.HaveSR = now, true
			x.peer.Take(p.Reports, ours, now, x.epoch)
		case *rtcp.ReceiverReport:
			x.peer.Take(p.Reports, ours, now, x.epoch)
		}
	}
}

func (x *Session) notify(d Direction) {
	if x.observe != nil {
		x.observe(d)
	}
}

// Quality adds what the peer reported and the RTCP counts to q.
func (x *Session) Quality(q *rtpstats.Quality) {
	x.mu.Lock()
	if x.peer.HaveReport {
		q.HasReported = true
		q.ReportedFractionLost = float64(x.peer.FractionLost) / 256
		q.ReportedLost = x.peer.TotalLost
		q.ReportedJitter = rtpstats.UnitsToDuration(x.peer.Jitter)
		q.RoundTrip = x.peer.RoundTrip
	}
	x.mu.Unlock()
	q.RTCPReceived, q.RTCPSent, q.RTCPInvalid = x.received.Load(), x.sent.Load(), x.invalid.Load()
}

// nextInterval is Interval randomised to 0.5–1.5 × (RFC 3550 §6.3.1), so
// streams started together do not report together.
func nextInterval() time.Duration {
	return Interval/2 + rand.N(Interval)
}

// Due reports whether a report is due at now, and if so schedules the
// next one. Nothing is due without a socket or before Start; the first
// call only schedules.
func (x *Session) Due(now time.Duration) bool {
	if x.conn == nil || !x.started {
		return false
	}
	if x.next == 0 {
		x.next = now + nextInterval()
		return false
	}
	if now < x.next {
		return false
	}
	x.next = now + nextInterval()
	return true
}

// Send sends a report at now about what the stream sent (snd; the session
// fills in its NTP time and CNAME) and received (rx), encrypted with sec
// if not nil, to the peer's RTCP source, else to rtpRemote's port + 1. It
// does not allocate; a socket error is ignored (the RTP side counts socket
// trouble; RTCP is best effort).
func (x *Session) Send(now time.Duration, snd rtpstats.Sending, rx *rtpstats.Reception, rtpRemote netip.AddrPort, sec *srtp.Session) {
	dst := x.destination(rtpRemote)
	if !dst.IsValid() {
		return
	}
	snd.NTP = rtpstats.NTPTime(x.epoch.Add(now))
	snd.CNAME = x.cname
	x.mu.Lock()
	peer := x.peer
	x.mu.Unlock()
	pkt := x.buf[:x.report.Write(x.buf[:], snd, rx, peer, now)]
	if sec != nil {
		var err error
		if pkt, err = sec.EncryptRTCP(x.sealed[:0], pkt); err != nil {
			return
		}
	}
	if _, err := x.conn.WriteToUDPAddrPort(pkt, dst); err != nil {
		return
	}
	x.sent.Add(1)
	x.notify(Sent)
}

// destination is the peer's latched RTCP source, else the RTP
// destination's port + 1.
func (x *Session) destination(rtpRemote netip.AddrPort) netip.AddrPort {
	x.mu.Lock()
	src := x.peer.Source
	x.mu.Unlock()
	if src.IsValid() {
		return src
	}
	r := rtpRemote
	if !r.IsValid() || r.Port() == 0 || r.Port() == 65535 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(r.Addr(), r.Port()+1)
}
