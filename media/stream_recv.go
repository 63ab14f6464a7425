package media

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/media/dtmf"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/rtpstats"
	"github.com/hotline-oss/hotline/media/wideband"
)

const (
	// relatchAfter is how long the latched source must have been silent
	// before another source may take over. Shorter would let a stray or
	// spoofed packet steal an active call's media; longer would delay
	// recovery when a NAT rebinds the peer's port mid-call.
	relatchAfter = 2 * time.Second
	// nonSilentLevel is the mean absolute amplitude above which a frame
	// counts as sound: about -48 dBFS, well above G.711 idle noise.
	nonSilentLevel = 128
	// maxReadErrors consecutive non-close read errors end the read loop
	// rather than spin; the inactivity timeout then ends the call.
	maxReadErrors = 1000
)

// rxState is owned by the read loop (or a test calling handlePacket).
type rxState struct {
	header         rtp.Header // reused so parsing does not allocate
	latched        bool
	source         netip.AddrPort
	lastFromSource time.Duration
	seq            rtpstats.Validator // RFC 3550 A.1: loss, reordering, restarts
	dtmf           dtmf.Receiver
	wide           *wideband.Receiver // G.722 decoding; made at the first G.722 packet
	quality        rtpstats.Reception // RFC 3550 loss and jitter, for RTCP and metrics
	buf            [recvBufferSize]byte
}

func (s *Stream) readLoop(p *Pacer) {
	defer close(s.readDone)
	readUntilClosed(s.conn, s.rx.buf[:], func(pkt []byte, src netip.AddrPort) {
		s.handlePacket(pkt, src, p.elapsed())
	})
}

// datagramReader is the reading side of an RTP or RTCP socket.
type datagramReader interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
}

// readUntilClosed hands every datagram read from conn into buf to handle,
// until the socket closes or fails maxReadErrors times in a row. The RTP
// and RTCP read loops share it.
func readUntilClosed(conn datagramReader, buf []byte, handle func(pkt []byte, src netip.AddrPort)) {
	errorsInARow := 0
	for {
		n, src, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if errorsInARow++; errorsInARow >= maxReadErrors {
				return
			}
			continue
		}
		errorsInARow = 0
		handle(buf[:n], src)
	}
}

// handlePacket processes one datagram from src received at now (pacer
// clock). It must not allocate: it runs for every packet of every call.
//
// Symmetric RTP: the first valid packet's source becomes where we send
// (NAT'd phones receive where they send from, whatever their SDP says).
// Packets from any other source are dropped, unless the latched source
// has been silent for relatchAfter, in which case the new source takes
// over. SetRemote with a new address restarts latching.
func (s *Stream) handlePacket(pkt []byte, src netip.AddrPort, now time.Duration) {
	pkt, ok := s.unprotect(pkt)
	if !ok {
		s.stats.packetsDropped.Add(1)
		return
	}
	payload, ok := s.parseRTP(pkt)
	if !ok {
		s.stats.packetsDropped.Add(1)
		return
	}
	if !s.acceptSource(unmapAddrPort(src), now) {
		s.stats.packetsDropped.Add(1)
		return
	}
	h := &s.rx.header
	s.lastReceived.Store(int64(now))
	s.stats.packetsReceived.Add(1)
	s.stats.bytesRecv.Add(uint64(len(pkt)))
	verdict := s.trackSequence(h.SSRC, h.SequenceNumber)

	codecs := s.codecs.Load()
	codec, audioPT, dtmfPT := rtpcodec.Codec(codecs), uint8(codecs>>8), uint8(codecs>>16)
	if verdict != rtpstats.Probation {
		s.rx.quality.Update(h.SSRC, h.SequenceNumber, h.Timestamp, rtpstats.ArrivalUnits(now), h.PayloadType == audioPT)
	}
	switch {
	case dtmfPT != 0 && h.PayloadType == dtmfPT:
		// A packet on probation may be a stray from far away in the
		// sequence space: it must not start or hide a key press.
		if verdict != rtpstats.Probation {
			s.handleDTMF(h.Timestamp, payload)
		}
	case h.PayloadType == audioPT && len(payload) > 0:
		if codec == rtpcodec.G722 {
			// From here on the leg's audio is narrowband µ-law.
			if s.rx.wide == nil {
				s.rx.wide = new(wideband.Receiver) // once per stream
			}
			payload, codec = s.rx.wide.Narrowband(payload), rtpcodec.PCMU
		}
		s.measureAudio(codec, payload)
		// Only audio crosses a bridge: digits stay on Digits() for the
		// runtime to act on.
		if dst := s.forward.Load(); dst != nil {
			dst.relay.Push(codec, rtpcodec.Codec(dst.codecs.Load()).Narrowband(), payload)
		}
		if mp := s.mix.Load(); mp != nil {
			mp.push(codec, payload)
		}
		if tap := s.tap.Load(); tap != nil {
			tap.push(codec, payload, now)
		}
		if sink := s.sink.Load(); sink != nil {
			(*sink)(payload)
		}
	}
}

// parseRTP validates pkt and returns its payload. The fixed header, CSRC
// list and extension length are checked before pion parses them, so
// ordinary garbage is rejected without building an error value.
func (s *Stream) parseRTP(pkt []byte) ([]byte, bool) {
	if len(pkt) < rtpHeaderSize || pkt[0]>>6 != 2 {
		return nil, false
	}
	headerLen := rtpHeaderSize + 4*int(pkt[0]&0x0F)
	if pkt[0]&0x10 != 0 {
		if len(pkt) < headerLen+4 {
			return nil, false
		}
		headerLen += 4 + 4*int(binary.BigEndian.Uint16(pkt[headerLen+2:]))
	}
	if len(pkt) < headerLen {
		return nil, false
	}
	n, err := s.rx.header.Unmarshal(pkt)
	if err != nil {
		return nil, false
	}
	payload := pkt[n:]
	if s.rx.header.Padding {
		pad := int(pkt[len(pkt)-1])
		if pad == 0 || pad > len(payload) {
			return nil, false
		}
		payload = payload[:len(payload)-pad]
	}
	return payload, true
}

func (s *Stream) acceptSource(src netip.AddrPort, now time.Duration) bool {
	rx := &s.rx
	if s.relatch.Swap(false) {
		rx.latched = false
	}
	switch {
	case !rx.latched:
	case src == rx.source:
		rx.lastFromSource = now
		return true
	case now-rx.lastFromSource < relatchAfter:
		return false
	}
	rx.latched, rx.source, rx.lastFromSource = true, src, now
	s.mu.Lock()
	s.tx.remote = src
	s.mu.Unlock()
	return true
}

// trackSequence validates the sequence number (RFC 3550 A.1, see
// package rtpstats) and counts gaps as losses. Late and duplicate packets are
// not subtracted again: the count is an upper bound, which is what an
// alarm on loss wants. A new SSRC, or a confirmed restart of the same one,
// starts the source's state over: its timestamps are a new space, so the
// DTMF receiver must not take the next key presses for old ones.
func (s *Stream) trackSequence(ssrc uint32, seq uint16) rtpstats.Verdict {
	rx := &s.rx
	verdict, lost := rx.seq.Check(ssrc, seq)
	switch verdict {
	case rtpstats.InOrder:
		if lost > 0 {
			s.stats.packetsLost.Add(uint64(lost))
		}
	case rtpstats.NewSource, rtpstats.Restart:
		rx.dtmf.Reset()
		rx.quality.Restart(ssrc, seq)
		if rx.wide != nil {
			rx.wide.Reset()
		}
		if verdict == rtpstats.Restart {
			s.stats.sourceRestarts.Add(1)
		}
	}
	return verdict
}

func (s *Stream) handleDTMF(timestamp uint32, payload []byte) {
	digit, ok := s.rx.dtmf.Handle(timestamp, payload)
	if !ok {
		return
	}
	s.stats.digitsReceived.Add(1)
	select {
	case s.digits <- digit:
	default:
		s.stats.digitsDropped.Add(1)
	}
}

// measureAudio keeps the cheap energy measure: the mean absolute
// amplitude of the frame, by table lookup.
func (s *Stream) measureAudio(codec rtpcodec.Codec, payload []byte) {
	table := codec.MagnitudeTable()
	var sum uint32
	for _, code := range payload {
		sum += uint32(table[code])
	}
	level := sum / uint32(len(payload))
	s.stats.lastLevel.Store(level)
	if level > nonSilentLevel {
		s.stats.nonSilentFrames.Add(1)
	}
}
