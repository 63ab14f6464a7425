package rtpstats

import (
	"encoding/binary"
	"time"
)

const (
	rtcpTypeSR   = 200
	rtcpTypeRR   = 201
	rtcpTypeSDES = 202
	sdesCNAME    = 1
	// ReportSize fits SR + one report block (52 bytes) and an SDES chunk
	// with a CNAME of up to maxCNAME bytes.
	ReportSize = 160
	maxCNAME   = 64
)

// Sending is what a report says about the RTP we send, read under the
// sender's lock when the report is due.
type Sending struct {
	SSRC    uint32
	Packets uint64 // RTP packets sent so far
	Octets  uint64 // payload octets sent so far
	NTP     uint64 // the wall-clock time of the report, as NTPTime
	RTPTime uint32 // the RTP timestamp of that instant
	CNAME   []byte
}

// Reporter writes one stream's RTCP compound packets and keeps what the
// next report is measured against. The zero value is ready; it is not
// safe for concurrent use.
type Reporter struct {
	expectedPrior, receivedPrior uint32
	sentPrior                    uint64
}

// Write writes an SR (when RTP was sent since the last report) or an RR,
// with a report block about the source rx receives when there is one,
// then an SDES CNAME, into b (at least ReportSize bytes) and returns the
// length. peer is what the peer's reports said, for LSR and DLSR; now is
// on the clock peer's times are on. It does not allocate.
func (r *Reporter) Write(b []byte, snd Sending, rx *Reception, peer Peer, now time.Duration) int {
	isSR := snd.Packets != r.sentPrior
	r.sentPrior = snd.Packets

	block, haveBlock := r.block(b[28:52], rx, peer, now)
	count := 0
	if haveBlock {
		count = 1
	}
	n := 8
	if isSR {
		binary.BigEndian.PutUint64(b[8:], snd.NTP)
		binary.BigEndian.PutUint32(b[16:], snd.RTPTime)
		binary.BigEndian.PutUint32(b[20:], uint32(snd.Packets))
		binary.BigEndian.PutUint32(b[24:], uint32(snd.Octets))
		n = 28
	}
	if haveBlock {
		copy(b[n:n+24], block)
		n += 24
	}
	pt := byte(rtcpTypeRR)
	if isSR {
		pt = rtcpTypeSR
	}
	b[0], b[1] = 0x80|byte(count), pt
	binary.BigEndian.PutUint16(b[2:], uint16(n/4-1))
	binary.BigEndian.PutUint32(b[4:], snd.SSRC)
	return n + writeSDES(b[n:], snd.SSRC, snd.CNAME)
}

// block fills dst (24 bytes, scratch space inside the send buffer that
// Write then moves into place) with the reception report about the
// source rx receives, if any.
func (r *Reporter) block(dst []byte, rx *Reception, peer Peer, now time.Duration) ([]byte, bool) {
	expected, received, jitter16, ssrc, ok := rx.Snapshot()
	if !ok {
		return nil, false
	}
	expInterval := expected - r.expectedPrior
	recvInterval := received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, received
	var fraction uint32
	if lost := int64(expInterval) - int64(recvInterval); expInterval > 0 && lost > 0 {
		fraction = uint32(lost<<8) / expInterval
	}
	cumulative := int64(expected) - int64(received)
	cumulative = max(min(cumulative, 0x7FFFFF), -0x800000) // signed 24 bits
	binary.BigEndian.PutUint32(dst[0:], ssrc)
	binary.BigEndian.PutUint32(dst[4:], min(fraction, 255)<<24|uint32(cumulative)&0xFFFFFF)
	binary.BigEndian.PutUint32(dst[8:], rx.ExtendedMax())
	binary.BigEndian.PutUint32(dst[12:], jitter16>>4)
	var lsr, dlsr uint32
	if peer.HaveSR {
		lsr = peer.LastSR
		dlsr = uint32((now - peer.LastSRAt) * (1 << 16) / time.Second)
	}
	binary.BigEndian.PutUint32(dst[16:], lsr)
	binary.BigEndian.PutUint32(dst[20:], dlsr)
	return dst, true
}

// writeSDES writes an SDES packet with cname into b and returns its
// length (a multiple of 4).
func writeSDES(b []byte, ssrc uint32, cname []byte) int {
	if len(cname) > maxCNAME {
		cname = cname[:maxCNAME]
	}
	// chunk: SSRC, CNAME item (type, length, text), at least one zero
	// octet ending the item list, padded to 32 bits.
	chunk := 4 + 2 + len(cname) + 1
	chunk = (chunk + 3) &^ 3
	total := 4 + chunk
	clear(b[:total])
	b[0], b[1] = 0x81, rtcpTypeSDES
	binary.BigEndian.PutUint16(b[2:], uint16(total/4-1))
	binary.BigEndian.PutUint32(b[4:], ssrc)
	b[8], b[9] = sdesCNAME, byte(len(cname))
	copy(b[10:], cname)
	return total
}
