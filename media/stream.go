package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/rtcpsess"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/media/wideband"
)

// Stream errors.
var (
	ErrNoDTMF        = errors.New("media: no telephone-event payload type negotiated")
	ErrDTMFQueueFull = errors.New("media: too many digits queued")
	ErrStreamClosed  = errors.New("media: stream closed")
)

const (
	digitsBuffer = 32
	// recvBufferSize holds any UDP datagram that fits an Ethernet MTU with
	// room to spare; anything larger arrives truncated (and is not RTP we
	// negotiated anyway).
	recvBufferSize = 2048
	rtpHeaderSize  = 12
)

// StreamConfig is what a stream needs from the SDP negotiation.
type StreamConfig struct {
	Codec           rtpcodec.Codec
	PayloadType     uint8 // 0 = the codec's static payload type
	DTMFPayloadType uint8 // 0 = none negotiated
	Remote          netip.AddrPort
	SSRC            uint32 // 0 = random
	// InactivityTimeout ends the call when nothing arrives for this long;
	// 0 disables it.
	InactivityTimeout time.Duration
	// SRTP, when not nil, encrypts and authenticates the stream (SDES).
	SRTP *srtp.Session
}

// packetConn is the part of *net.UDPConn a stream uses; tests substitute
// recording fakes.
type packetConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	LocalAddr() net.Addr
	Close() error
}

// Stream is one call leg's RTP socket: it receives on its own read-loop
// goroutine and is sent for by a shared Pacer. All methods are safe for
// concurrent use.
type Stream struct {
	conn              packetConn
	onClose           func()
	inactivityTimeout time.Duration

	life    sync.Mutex // guards pacer, slot, started, closed
	pacer   *Pacer
	slot    int
	started bool
	closed  bool

	mu sync.Mutex // guards tx
	tx txState

	rx       rxState          // owned by the read loop
	rtcp     rtcpsess.Session // the RTCP port's socket, reports and peer's reports
	rtcpRead rtcpReader       // owned by the RTCP read loop

	// codecs packs codec | payload type<<8 | DTMF payload type<<16 so the
	// receive path reads a consistent set without taking mu.
	codecs        atomic.Uint32
	relatch       atomic.Bool
	expectMedia   atomic.Bool
	lastReceived  atomic.Int64 // pacer clock, ns; start time until a packet arrives
	inactiveFired atomic.Bool
	sink          atomic.Pointer[func(payload []byte)]
	stats         streamCounters

	relay   mix.Relay                    // the bridged peer's audio, sent by the pacer
	forward atomic.Pointer[Stream]       // where received audio is relayed; nil unless bridged
	mix     atomic.Pointer[mixPort]      // a supervisor monitor's mixer (mixer_port.go); nil unless monitored
	tap     atomic.Pointer[recordTap]    // recording intake; nil unless recording
	srtp    atomic.Pointer[srtp.Session] // nil: plain RTP
	bridge  *BridgeHandle                // guarded by bridgeMu

	digits       chan rune
	playbackDone chan struct{}
	inactive     chan struct{}
	done         chan struct{}
	readDone     chan struct{}
	closeOnce    sync.Once
}

// NewStream wraps conn. Nothing is sent or received until Start. onClose,
// if not nil, runs once when the stream is closed, after the socket is
// closed (typically to return the port to its pool).
func NewStream(conn *net.UDPConn, cfg StreamConfig, onClose func()) *Stream {
	s := newStream(conn, cfg, onClose)
	s.attachRTCP(conn)
	return s
}

func newStream(conn packetConn, cfg StreamConfig, onClose func()) *Stream {
	s := &Stream{
		conn:              conn,
		onClose:           onClose,
		inactivityTimeout: cfg.InactivityTimeout,
		digits:            make(chan rune, digitsBuffer),
		playbackDone:      make(chan struct{}, 1),
		inactive:          make(chan struct{}),
		done:              make(chan struct{}),
		readDone:          make(chan struct{}),
		rtcpRead:          rtcpReader{done: make(chan struct{})},
	}
	ssrc := cfg.SSRC
	for ssrc == 0 {
		ssrc = rand.Uint32()
	}
	s.tx = txState{
		remote:     unmapAddrPort(cfg.Remote),
		configured: unmapAddrPort(cfg.Remote),
		sending:    true,
		ssrc:       ssrc,
		seq:        uint16(rand.Uint32()),
		timestamp:  rand.Uint32(),
	}
	s.expectMedia.Store(true)
	s.srtp.Store(cfg.SRTP)
	s.applyCodecs(cfg.Codec, cfg.PayloadType, cfg.DTMFPayloadType)
	return s
}

// applyCodecs sets the codec state; the caller holds mu or owns s.
func (s *Stream) applyCodecs(c rtpcodec.Codec, pt, dtmfPT uint8) {
	if !c.Valid() {
		c = rtpcodec.PCMU
	}
	if pt == 0 {
		pt = c.PayloadType()
	}
	s.tx.codec, s.tx.pt, s.tx.dtmfPT = c, pt, dtmfPT
	if c == rtpcodec.G722 && s.tx.wide == nil {
		s.tx.wide = new(wideband.Sender) // once per stream, never on the pacer
	}
	s.codecs.Store(uint32(c) | uint32(pt)<<8 | uint32(dtmfPT)<<16)
}

// Start registers the stream with p and starts its read loop. Calling it
// again, or after Close, does nothing.
func (s *Stream) Start(p *Pacer) {
	s.life.Lock()
	defer s.life.Unlock()
	if s.started || s.closed {
		return
	}
	s.started, s.pacer = true, p
	now := p.elapsed()
	s.lastReceived.Store(int64(now))
	s.rtcp.Start(p.epoch, p.rtcpObserve)
	s.slot = p.wheel.Add((*pacedStream)(s), now)
	go s.readLoop(p)
	if s.rtcp.Conn() != nil {
		go s.rtcpReadLoop(p)
	}
}

// Close unregisters the stream, closes its socket, waits for the read loop
// to exit and runs onClose. It is idempotent; concurrent callers return
// once the first has finished.
func (s *Stream) Close() {
	s.closeOnce.Do(func() {
		s.life.Lock()
		s.closed = true
		started, p, slot := s.started, s.pacer, s.slot
		s.life.Unlock()
		if started {
			p.wheel.Remove((*pacedStream)(s), slot)
		}
		_ = s.conn.Close()
		if started {
			<-s.readDone
		}
		s.closeRTCP(started, p)
		close(s.done)
		if s.onClose != nil {
			s.onClose()
		}
	})
}

// Done is closed when Close has finished.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Digits delivers received DTMF keys (RFC 4733), once per key press.
func (s *Stream) Digits() <-chan rune { return s.digits }

// PlaybackDone receives one signal each time a Play sequence finishes
// naturally; not when it is stopped or replaced.
func (s *Stream) PlaybackDone() <-chan struct{} { return s.playbackDone }

// Inactive is closed once when nothing has arrived for InactivityTimeout
// while media was expected. The pacer checks it every frame, so it needs a
// running pacer. It stays closed even if media resumes.
func (s *Stream) Inactive() <-chan struct{} { return s.inactive }

// LocalAddr returns the socket's address.
func (s *Stream) LocalAddr() netip.AddrPort {
	if a, ok := s.conn.LocalAddr().(*net.UDPAddr); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// SSRC returns the synchronisation source of the packets we send.
func (s *Stream) SSRC() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx.ssrc
}

// SetSending switches sending on or off (off while the remote holds the
// call). The RTP clock and playback keep running while off, so timestamps
// stay true to time and a prompt ends when it would have.
func (s *Stream) SetSending(on bool) {
	s.mu.Lock()
	s.tx.sending = on
	s.mu.Unlock()
}

// SetRemote changes the negotiated destination (re-INVITE). When it really
// changes, latching starts over: the next valid packet's source becomes
// the destination again.
func (s *Stream) SetRemote(addr netip.AddrPort) {
	addr = unmapAddrPort(addr)
	s.mu.Lock()
	defer s.mu.Unlock()
	if addr == s.tx.configured {
		return
	}
	s.tx.configured, s.tx.remote = addr, addr
	s.relatch.Store(true)
}

// SetCodec changes the codec and payload type (re-INVITE); pt 0 means the
// codec's static payload type. Prompts switch law seamlessly.
func (s *Stream) SetCodec(c rtpcodec.Codec, pt uint8) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyCodecs(c, pt, s.tx.dtmfPT)
}

// SetDTMFPayloadType changes the telephone-event payload type; 0 disables
// RFC 4733 in both directions.
func (s *Stream) SetDTMFPayloadType(pt uint8) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyCodecs(s.tx.codec, s.tx.pt, pt)
}

// SetExpectMedia tells the stream whether the remote should be sending.
// While false (remote on hold: sendonly from us, or inactive) silence is
// expected and never counts toward the inactivity timeout; switching back
// to true restarts the timeout from now.
func (s *Stream) SetExpectMedia(expect bool) {
	s.life.Lock()
	p := s.pacer
	s.life.Unlock()
	if expect && p != nil {
		s.lastReceived.Store(int64(p.elapsed()))
	}
	s.expectMedia.Store(expect)
}

// SetAudioSink installs a function that receives every audio payload, on
// the read loop, before the next packet is read: it must be quick and must
// not keep payload. nil removes it.
func (s *Stream) SetAudioSink(sink func(payload []byte)) {
	if sink == nil {
		s.sink.Store(nil)
		return
	}
	s.sink.Store(&sink)
}

// checkInactivity runs from the pacer every frame: two atomic loads, so no
// timer per packet is needed.
func (s *Stream) checkInactivity(now time.Duration) {
	if s.inactivityTimeout <= 0 || !s.expectMedia.Load() || s.inactiveFired.Load() {
		return
	}
	if now-time.Duration(s.lastReceived.Load()) >= s.inactivityTimeout && s.inactiveFired.CompareAndSwap(false, true) {
		close(s.inactive)
	}
}

// unmapAddrPort turns IPv4-mapped IPv6 addresses into plain IPv4 so that
// SDP addresses and packet sources compare equal.
func unmapAddrPort(a netip.AddrPort) netip.AddrPort {
	if !a.IsValid() {
		return a
	}
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
