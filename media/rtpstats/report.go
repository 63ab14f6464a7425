package rtpstats

import (
	"net/netip"
	"time"

	"github.com/pion/rtcp"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// Peer is what the peer's RTCP told us.
type Peer struct {
	Source       netip.AddrPort // latched RTCP source, where reports go
	LastSR       uint32         // middle 32 bits of the NTP time of its last SR
	LastSRAt     time.Duration  // pacer time that SR arrived
	HaveSR       bool
	HaveReport   bool
	FractionLost uint8
	TotalLost    int32
	Jitter       uint32 // RTP units
	RoundTrip    time.Duration
}

// ValidCompound applies the RFC 3550 A.2 header check pion leaves out:
// a compound packet starts with an SR or RR, without padding.
func ValidCompound(pkt []byte) bool {
	if len(pkt) < 2 || pkt[0]>>6 != 2 || pkt[0]&0x20 != 0 {
		return false
	}
	return pkt[1] == 200 || pkt[1] == 201
}

// Take keeps the report block about our SSRC; blocks about other
// sources (a conference, a stale SSRC) are not ours to judge.
func (pr *Peer) Take(reports []rtcp.ReceptionReport, ours uint32, now time.Duration, epoch time.Time) {
	for _, rr := range reports {
		if rr.SSRC != ours {
			continue
		}
		pr.HaveReport = true
		pr.FractionLost = rr.FractionLost
		// TotalLost is a signed 24-bit field.
		pr.TotalLost = int32(rr.TotalLost<<8) >> 8
		pr.Jitter = rr.Jitter
		pr.RoundTrip = 0
		if rr.LastSenderReport != 0 {
			arrival := NTPMiddle(epoch.Add(now))
			rtt := int64(arrival) - int64(rr.LastSenderReport) - int64(rr.Delay)
			// Modular arithmetic: wrap into the 32-bit range first.
			if d := uint32(rtt); d < 1<<31 {
				pr.RoundTrip = time.Duration(uint64(d) * uint64(time.Second) >> 16)
			}
		}
	}
}

func UnitsToDuration(units uint32) time.Duration {
	return time.Duration(uint64(units) * uint64(time.Second) / rtpcodec.ClockRate)
}

// ArrivalUnits is the pacer time in RTP clock units, for A.8 transit.
func ArrivalUnits(now time.Duration) uint32 {
	return uint32(now / (time.Second / rtpcodec.ClockRate))
}

// NTPTime is t as a 64-bit NTP timestamp (seconds since 1900, 32.32).
func NTPTime(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800 // 1900-01-01 to 1970-01-01, s
	secs := uint64(t.Unix() + ntpEpochOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// NTPMiddle is the middle 32 bits of t's NTP time, the LSR unit.
func NTPMiddle(t time.Time) uint32 { return uint32(NTPTime(t) >> 16) }
