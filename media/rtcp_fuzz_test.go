package media

import (
	"math"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func FuzzRTCP(f *testing.F) {
	sr, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.SenderReport{SSRC: 9, NTPTime: 0xE000000080000000, RTPTime: 1, PacketCount: 10, OctetCount: 1600,
			Reports: []rtcp.ReceptionReport{{SSRC: 0x11223344, FractionLost: 10, TotalLost: 3, LastSequenceNumber: 70000, Jitter: 40, LastSenderReport: 5, Delay: 6}}},
		&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 9, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "peer@example"}}}}},
	})
	rr, _ := rtcp.Marshal([]rtcp.Packet{
		&rtcp.ReceiverReport{SSRC: 9, Reports: []rtcp.ReceptionReport{{SSRC: 0x11223344, TotalLost: 0x800000}}},
		&rtcp.Goodbye{Sources: []uint32{9}, Reason: "bye"},
	})
	f.Add(sr)
	f.Add(rr)
	f.Add(sr[:len(sr)-3])                                     // truncated
	f.Add([]byte{0x81, 201, 0xFF, 0xFF, 0, 0, 0, 9})          // length beyond the datagram
	f.Add([]byte{0xA0, 200, 0, 6, 0, 0, 0, 9, 1, 2, 3, 4, 5}) // padding bit on the first packet
	f.Add([]byte{0x80, 203, 0, 1, 0, 0, 0, 9})                // BYE first
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		s, rec, p := newRTCPTestStream(t)
		s.handlePacket(rtpPacket(0, 1, 160, 9, mediatest.ToneFrame(rtpcodec.PCMU)), peer, 0)
		var in, invalid int
		observe := func(d RTCPDirection) {
			switch d {
			case RTCPReceived:
				in++
			case RTCPInvalid:
				invalid++
			}
		}
		s.rtcp.Start(p.epoch, observe)
		s.handleRTCP(pkt, peer, time.Second)
		if in+invalid != 1 {
			t.Fatalf("datagram counted %d times", in+invalid)
		}
		q := s.Quality()
		if q.ReportedFractionLost < 0 || q.ReportedFractionLost > 1 || q.ReportedJitter < 0 || q.RoundTrip < 0 ||
			q.Jitter < 0 || math.IsNaN(q.LossRatio()) || q.LossRatio() < 0 || q.LossRatio() > 1 {
			t.Fatalf("quality out of range: %+v", q)
		}
		// Whatever arrived, the next report must still be valid RTCP.
		for now := time.Duration(0); s.Quality().RTCPSent == 0 && now < 10*time.Second; now += rtpcodec.FrameDuration {
			s.sendDue(now, nil)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.sent) == 0 {
			t.Fatal("no report sent")
		}
		if _, err := rtcp.Unmarshal(rec.sent[0]); err != nil {
			t.Fatalf("our report after %x does not parse: %v", pkt, err)
		}
	})
}
