package media

import (
	"bytes"
	"math"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/rtpstats"
	"github.com/hotline-oss/hotline/media/srtp"
)

// rtcpRecorder captures RTCP datagrams a stream sends.
type rtcpRecorder struct {
	recordingConn
	mu    sync.Mutex
	sent  [][]byte
	dests []netip.AddrPort
}

func (c *rtcpRecorder) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, bytes.Clone(b))
	c.dests = append(c.dests, addr)
	return len(b), nil
}

// newRTCPTestStream is a stream with a recording RTCP socket, wired to a
// pacer that is never started: tests drive sendDue with explicit times.
func newRTCPTestStream(t *testing.T) (*Stream, *rtcpRecorder, *Pacer) {
	t.Helper()
	s, _ := newTestStream(StreamConfig{Codec: rtpcodec.PCMU, SSRC: 0x11223344})
	rec := &rtcpRecorder{}
	s.rtcp.Attach(rec, s.tx.ssrc)
	p := NewPacer()
	s.rtcp.Start(p.epoch, p.rtcpObserve)
	return s, rec, p
}

func TestReportsAreValidRTCP(t *testing.T) {
	s, rec, _ := newRTCPTestStream(t)
	// Receive 10 packets with 2 missing.
	for _, seq := range []uint16{1, 2, 3, 5, 6, 7, 8, 10, 11, 12} {
		s.handlePacket(rtpPacket(0, seq, uint32(seq)*160, 0xAABBCCDD, mediatest.ToneFrame(rtpcodec.PCMU)), peer, time.Duration(seq)*rtpcodec.FrameDuration)
	}
	now := time.Duration(0)
	for ; now < 20*time.Second; now += rtpcodec.FrameDuration {
		s.sendDue(now, nil)
	}
	rec.mu.Lock()
	sent, dests := rec.sent, rec.dests
	rec.mu.Unlock()
	if n := len(sent); n < 3 || n > 6 {
		t.Fatalf("%d reports in 20 s, want one every 2.5–7.5 s", n)
	}
	if want := netip.AddrPortFrom(peer.Addr(), peer.Port()+1); dests[0] != want {
		t.Fatalf("report sent to %v, want the RTP peer's port + 1 %v", dests[0], want)
	}
	packets, err := rtcp.Unmarshal(sent[0])
	if err != nil {
		t.Fatalf("our report does not parse: %v (% x)", err, sent[0])
	}
	sr, ok := packets[0].(*rtcp.SenderReport)
	if !ok || len(packets) != 2 {
		t.Fatalf("want SR + SDES, got %T x%d", packets[0], len(packets))
	}
	if sr.SSRC != 0x11223344 || sr.PacketCount == 0 || len(sr.Reports) != 1 {
		t.Fatalf("SR = %+v", sr)
	}
	block := sr.Reports[0]
	if block.SSRC != 0xAABBCCDD || block.TotalLost != 2 || block.LastSequenceNumber != 12 || block.FractionLost != 2*256/12 {
		t.Fatalf("report block = %+v", block)
	}
	sdes, ok := packets[1].(*rtcp.SourceDescription)
	if !ok || len(sdes.Chunks) != 1 || len(sdes.Chunks[0].Items) != 1 || sdes.Chunks[0].Items[0].Type != rtcp.SDESCNAME {
		t.Fatalf("SDES = %+v", packets[1])
	}
	// Later reports cover intervals with nothing new: fraction 0.
	later, err := rtcp.Unmarshal(sent[len(sent)-1])
	if err != nil {
		t.Fatal(err)
	}
	if rep := later[0].(*rtcp.SenderReport).Reports[0]; rep.FractionLost != 0 || rep.TotalLost != 2 {
		t.Fatalf("later block = %+v", rep)
	}
}

func TestReceiverReportWhileNotSending(t *testing.T) {
	s, rec, _ := newRTCPTestStream(t)
	s.SetSending(false)
	s.handlePacket(rtpPacket(0, 1, 160, 5, mediatest.ToneFrame(rtpcodec.PCMU)), peer, 0)
	for now := time.Duration(0); now < 8*time.Second; now += rtpcodec.FrameDuration {
		s.sendDue(now, nil)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sent) == 0 {
		t.Fatal("no report")
	}
	packets, err := rtcp.Unmarshal(rec.sent[len(rec.sent)-1])
	if err != nil {
		t.Fatal(err)
	}
	if rr, ok := packets[0].(*rtcp.ReceiverReport); !ok || rr.SSRC != 0x11223344 || len(rr.Reports) != 1 {
		t.Fatalf("want RR with one block, got %+v", packets[0])
	}
}

func TestHandleRTCPTakesReportsAboutUs(t *testing.T) {
	s, rec, p := newRTCPTestStream(t)
	var counts [3]int
	observe := func(d RTCPDirection) { counts[d]++ }
	src := netip.MustParseAddrPort("192.0.2.50:40001")
	s.rtcp.Start(p.epoch, observe)

	// Our SR, 1/8 s of NTP time before the peer's report echoes it.
	sentAt := 10 * time.Second
	lsr := rtpstats.NTPMiddle(p.epoch.Add(sentAt))
	delay := uint32(1 << 14) // the peer held it 0.25 s
	rr := &rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{
		{SSRC: 12345, FractionLost: 200, TotalLost: 50, Jitter: 800}, // someone else
		{SSRC: 0x11223344, FractionLost: 64, TotalLost: 0xFFFFFF, Jitter: 160, LastSenderReport: lsr, Delay: delay},
	}}
	raw, err := rtcp.Marshal([]rtcp.Packet{rr, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: 99, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "peer"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s.handleRTCP(raw, src, sentAt+375*time.Millisecond)
	q := s.Quality()
	if !q.HasReported || q.ReportedFractionLost != 0.25 || q.ReportedLost != -1 || q.ReportedJitter != 20*time.Millisecond {
		t.Fatalf("quality = %+v", q)
	}
	if rtt := q.RoundTrip; rtt < 120*time.Millisecond || rtt > 130*time.Millisecond {
		t.Fatalf("round trip = %v, want 125 ms", rtt)
	}
	// Garbage and a compound packet starting with SDES are rejected.
	sdesFirst, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 1}}}})
	s.handleRTCP([]byte{0x80, 200, 0, 1}, src, sentAt)
	s.handleRTCP(sdesFirst, src, sentAt)
	if counts != [3]int{1, 0, 2} {
		t.Fatalf("observer counts (in, out, invalid) = %v", counts)
	}
	if q := s.Quality(); q.RTCPReceived != 1 || q.RTCPInvalid != 2 {
		t.Fatalf("quality counters = %+v", q)
	}
	// Reports now go to the latched RTCP source.
	for now := time.Duration(0); now < 8*time.Second; now += rtpcodec.FrameDuration {
		s.sendDue(now, nil)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.dests) == 0 || rec.dests[0] != src {
		t.Fatalf("reports went to %v, want %v", rec.dests, src)
	}
}

func TestRTCPSendDoesNotAllocate(t *testing.T) {
	s := newStream(&discardConn{}, StreamConfig{Remote: peer}, nil)
	s.setSchedule(0)
	s.rtcp.Attach(&discardConn{}, 1)
	p := NewPacer(WithRTCPObserver(func(RTCPDirection) {}))
	s.rtcp.Start(p.epoch, p.rtcpObserve)
	s.handlePacket(rtpPacket(0, 1, 160, 5, mediatest.ToneFrame(rtpcodec.PCMU)), peer, 0)
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(2000, func() {
		s.sendDue(now, nil)
		now += rtpcodec.FrameDuration
	})
	if s.Quality().RTCPSent < 5 {
		t.Fatalf("only %d reports in %v", s.Quality().RTCPSent, now)
	}
	if allocs != 0 {
		t.Fatalf("sendDue with RTCP allocates %v times per frame", allocs)
	}
}

// TestPortPoolBindsRTCPPairs checks the odd port is taken with the even
// one, reaches the stream, and is given back with it.
func TestPortPoolBindsRTCPPairs(t *testing.T) {
	low, high := mediatest.FreeRange(t, 2)
	pool, err := portpool.New(mediatest.Loopback, low, high)
	if err != nil {
		t.Fatal(err)
	}
	conn, port, err := pool.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(mediatest.Loopback, uint16(port+1)))); err == nil {
		t.Fatal("RTCP port is not bound")
	}
	p := startedPacer(t)
	s := NewStream(conn, StreamConfig{Codec: rtpcodec.PCMU, Remote: netip.AddrPortFrom(mediatest.Loopback, 9)}, func() { pool.Release(port) })
	if s.rtcp.Conn() == nil {
		t.Fatal("the stream did not pick up its RTCP socket")
	}
	s.Start(p)
	peerRTCP := listenLoopback(t)
	defer peerRTCP.Close()
	rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 5, Reports: []rtcp.ReceptionReport{{SSRC: s.SSRC(), FractionLost: 128}}}})
	if _, err := peerRTCP.WriteToUDPAddrPort(rr, netip.AddrPortFrom(mediatest.Loopback, uint16(port+1))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the receiver report", func() bool { return s.Quality().HasReported })
	if q := s.Quality(); math.Abs(q.ReportedFractionLost-0.5) > 1e-9 {
		t.Fatalf("quality = %+v", q)
	}
	// The stream's reports go to the latched RTCP source.
	buf := make([]byte, 1500)
	_ = peerRTCP.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := peerRTCP.Read(buf)
	if err != nil {
		t.Fatalf("no report from the stream: %v", err)
	}
	if _, err := rtcp.Unmarshal(buf[:n]); err != nil {
		t.Fatalf("report does not parse: %v", err)
	}
	s.Close()
	if pool.InUse() != 0 {
		t.Fatalf("InUse = %d after close", pool.InUse())
	}
	for _, pt := range []int{port, port + 1} {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(mediatest.Loopback, uint16(pt))))
		if err != nil {
			t.Fatalf("port %d not released: %v", pt, err)
		}
		c.Close()
	}
	// A pair released without a stream ever built on it is freed too.
	conn2, port2, err := pool.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	conn2.Close()
	pool.Release(port2)
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(mediatest.Loopback, uint16(port2+1))))
	if err != nil {
		t.Fatalf("RTCP port %d not released: %v", port2+1, err)
	}
	c.Close()
	if _, ok := portpool.TakeRTCP(conn2); ok {
		t.Fatal("released pair still in the hand-over map")
	}
}

func TestQualityEndObserver(t *testing.T) {
	var got []rtpstats.Quality
	var mu sync.Mutex
	p := NewPacer(WithWorkers(1), WithStreamEndObserver(func(q rtpstats.Quality) {
		mu.Lock()
		got = append(got, q)
		mu.Unlock()
	}))
	p.Start()
	defer p.Stop()
	a, b := pair(t, p, StreamConfig{Codec: rtpcodec.PCMU}, StreamConfig{Codec: rtpcodec.PCMU})
	waitFor(t, 2*time.Second, "audio", func() bool { return b.Stats().PacketsReceived >= 10 })
	b.Close()
	a.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || !got[0].HasReceived || got[0].Received < 10 || got[0].Jitter > 100*time.Millisecond {
		t.Fatalf("end observations = %+v", got)
	}
}

// TestRTCPOverSRTP checks that a secure stream sends SRTCP the peer can
// read and takes only authenticated reports from it.
func TestRTCPOverSRTP(t *testing.T) {
	keys := secureKeys(t, srtp.AESCM128HMACSHA1_80)
	sec, err := srtp.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	s, rec, _ := newRTCPTestStream(t)
	s.SetSRTP(sec)
	for now := time.Duration(0); s.Quality().RTCPSent == 0 && now < 10*time.Second; now += rtpcodec.FrameDuration {
		s.sendDue(now, nil)
	}
	rec.mu.Lock()
	sent := rec.sent
	rec.mu.Unlock()
	if len(sent) == 0 {
		t.Fatal("no report")
	}
	plain, err := peerContext(t, keys.Local).DecryptRTCP(nil, sent[0], nil)
	if err != nil {
		t.Fatalf("peer cannot read our SRTCP: %v", err)
	}
	if _, err := rtcp.Unmarshal(plain); err != nil {
		t.Fatalf("decrypted report does not parse: %v", err)
	}

	rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 5, Reports: []rtcp.ReceptionReport{{SSRC: s.SSRC(), FractionLost: 64}}}})
	// Plain RTCP on a secure stream is not authenticated: ignored.
	s.handleRTCP(rr, peer, time.Second)
	if q := s.Quality(); q.HasReported || q.RTCPInvalid != 1 {
		t.Fatalf("plain report on a secure stream taken: %+v", q)
	}
	sealed, err := peerContext(t, keys.Remote).EncryptRTCP(nil, rr, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.handleRTCP(sealed, peer, time.Second)
	if q := s.Quality(); !q.HasReported || q.ReportedFractionLost != 0.25 {
		t.Fatalf("SRTCP report not taken: %+v", q)
	}
}
