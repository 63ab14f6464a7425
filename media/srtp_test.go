package media

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	pionsrtp "github.com/pion/srtp/v3"

	"github.com/hotline-oss/hotline/media/dtmf"
	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
)

// rawConn records what a stream writes, byte for byte.
type rawConn struct {
	mu      sync.Mutex
	packets [][]byte
}

func (c *rawConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.packets = append(c.packets, bytes.Clone(b))
	return len(b), nil
}
func (c *rawConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (c *rawConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *rawConn) Close() error        { return nil }

// peerContext is the remote phone's view: an independent pion context
// keyed only from what the SDP said.
func peerContext(t testing.TB, k srtp.SDESKey) *pionsrtp.Context {
	t.Helper()
	profile := pionsrtp.ProtectionProfileAes128CmHmacSha1_80
	if k.Suite == srtp.AESCM128HMACSHA1_32 {
		profile = pionsrtp.ProtectionProfileAes128CmHmacSha1_32
	}
	ctx, err := pionsrtp.CreateContext(k.KeySalt[:16], k.KeySalt[16:], profile)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// secureKeys negotiates like a real call would: the peer's key is parsed
// from its a=crypto line, ours is drawn for the answer.
func secureKeys(t testing.TB, suite srtp.CryptoSuite) srtp.Keys {
	t.Helper()
	theirs, err := srtp.NewSDESKey(1, suite)
	if err != nil {
		t.Fatal(err)
	}
	offer := sdp.BuildSecureOffer(peer, []rtpcodec.Codec{rtpcodec.PCMU}, 101, sdp.SendRecv, 1, 1, theirs)
	n, err := sdp.Negotiate(offer, []rtpcodec.Codec{rtpcodec.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.AnswerKey(); err != nil {
		t.Fatal(err)
	}
	// Our key as the peer reads it from our answer.
	back, err := sdp.Negotiate(n.Answer(peer, 1, 1), []rtpcodec.Codec{rtpcodec.PCMU})
	if err != nil || back.Crypto != n.LocalCrypto {
		t.Fatalf("answer key does not round-trip: %v", err)
	}
	return n.SRTPKeys()
}

func TestSRTPStreamRoundTrip(t *testing.T) {
	for _, suite := range []srtp.CryptoSuite{srtp.AESCM128HMACSHA1_80, srtp.AESCM128HMACSHA1_32} {
		t.Run(suite.String(), func(t *testing.T) {
			keys := secureKeys(t, suite)
			sec, err := srtp.New(keys)
			if err != nil {
				t.Fatal(err)
			}
			conn := &rawConn{}
			s := newStream(conn, StreamConfig{Remote: peer, DTMFPayloadType: 101, SRTP: sec}, nil)
			s.setSchedule(0)
			prompt := playout.NewPrompt("tone", mediatest.Tone(1000, 8000, time.Second))
			s.Play(prompt)
			for i := range 5 {
				s.sendDue(time.Duration(i)*rtpcodec.FrameDuration, nil)
			}
			decrypt := peerContext(t, keys.Local)
			if len(conn.packets) != 5 {
				t.Fatalf("sent %d packets", len(conn.packets))
			}
			for i, pkt := range conn.packets {
				if len(pkt) != rtpHeaderSize+rtpcodec.FrameSamples+suite.AuthTagLen() {
					t.Fatalf("packet %d is %d bytes", i, len(pkt))
				}
				if bytes.Equal(pkt[rtpHeaderSize:rtpHeaderSize+rtpcodec.FrameSamples], prompt.Frame(rtpcodec.PCMU, i)) {
					t.Fatalf("packet %d carries plain audio", i)
				}
				var h rtp.Header
				plain, err := decrypt.DecryptRTP(nil, pkt, &h)
				if err != nil {
					t.Fatalf("peer cannot decrypt packet %d: %v", i, err)
				}
				if !bytes.Equal(plain[rtpHeaderSize:], prompt.Frame(rtpcodec.PCMU, i)) {
					t.Fatalf("packet %d decrypts to other audio", i)
				}
			}

			// The peer's packets, encrypted with its key, are heard;
			// plain RTP and tampered SRTP are dropped.
			encrypt := peerContext(t, keys.Remote)
			frame := mediatest.ToneFrame(rtpcodec.PCMU)
			for seq := uint16(1); seq <= 3; seq++ {
				pkt, err := encrypt.EncryptRTP(nil, rtpPacket(0, seq, uint32(seq)*160, 9, frame), nil)
				if err != nil {
					t.Fatal(err)
				}
				s.handlePacket(pkt, peer, 0)
			}
			s.handlePacket(rtpPacket(0, 4, 640, 9, frame), peer, 0)
			tampered, _ := encrypt.EncryptRTP(nil, rtpPacket(0, 5, 800, 9, frame), nil)
			tampered[20] ^= 1
			s.handlePacket(tampered, peer, 0)
			replay, _ := encrypt.EncryptRTP(nil, rtpPacket(0, 6, 960, 9, frame), nil)
			s.handlePacket(replay, peer, 0)
			s.handlePacket(replay, peer, 0)
			st := s.Stats()
			if st.PacketsReceived != 4 || st.ReceivedNonSilentFrames != 4 || st.PacketsDropped != 3 {
				t.Fatalf("received %d (%d non-silent), dropped %d", st.PacketsReceived, st.ReceivedNonSilentFrames, st.PacketsDropped)
			}

			// RFC 4733 digits work through SRTP.
			ev := dtmf.Event{Event: 5, End: true, Duration: 800}
			var payload [dtmf.PayloadSize]byte
			_, _ = ev.MarshalTo(payload[:])
			for seq := uint16(7); seq <= 9; seq++ {
				pkt, _ := encrypt.EncryptRTP(nil, rtpPacket(101, seq, 2000, 9, payload[:]), nil)
				s.handlePacket(pkt, peer, 0)
			}
			select {
			case d := <-s.Digits():
				if d != '5' {
					t.Fatalf("digit %q", d)
				}
			default:
				t.Fatal("no digit through SRTP")
			}
		})
	}
}

func TestSRTCPHook(t *testing.T) {
	keys := secureKeys(t, srtp.AESCM128HMACSHA1_80)
	sec, err := srtp.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := (&rtcp.ReceiverReport{SSRC: 7}).Marshal()
	out, err := sec.EncryptRTCP(nil, rr)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := peerContext(t, keys.Local).DecryptRTCP(nil, out, nil)
	if err != nil || !bytes.Equal(plain, rr) {
		t.Fatalf("peer reads our SRTCP: %v", err)
	}
	theirs, _ := peerContext(t, keys.Remote).EncryptRTCP(nil, rr, nil)
	if got, err := sec.DecryptRTCP(nil, theirs); err != nil || !bytes.Equal(got, rr) {
		t.Fatalf("we read their SRTCP: %v", err)
	}
	theirs[len(theirs)-1] ^= 1
	if _, err := sec.DecryptRTCP(nil, theirs); err == nil {
		t.Fatal("tampered SRTCP accepted")
	}
}

func TestNewSRTPRejectsMissingKey(t *testing.T) {
	k, _ := srtp.NewSDESKey(1, srtp.AESCM128HMACSHA1_80)
	if _, err := srtp.New(srtp.Keys{Local: k}); err == nil {
		t.Fatal("no remote key accepted")
	}
}

// BenchmarkSRTPSend is BenchmarkSendFrame with SRTP on: the send path must
// stay allocation-free.
func BenchmarkSRTPSend(b *testing.B) {
	sec, err := srtp.New(secureKeys(b, srtp.AESCM128HMACSHA1_80))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkSend(b, StreamConfig{Remote: peer, SRTP: sec})
}

// BenchmarkSRTPReceive decrypts and handles one SRTP packet per op. The
// peer encrypts a new sequence number each time (replay protection would
// drop a repeated one); only the receive side is timed.
func BenchmarkSRTPReceive(b *testing.B) {
	keys := secureKeys(b, srtp.AESCM128HMACSHA1_80)
	sec, err := srtp.New(keys)
	if err != nil {
		b.Fatal(err)
	}
	s := newStream(&discardConn{}, StreamConfig{Remote: peer, SRTP: sec}, nil)
	encrypt := peerContext(b, keys.Remote)
	plain := rtpPacket(0, 0, 0, 1, mediatest.ToneFrame(rtpcodec.PCMU))
	var h rtp.Header
	_, _ = h.Unmarshal(plain)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		h.SequenceNumber, h.Timestamp = uint16(i), uint32(i)*rtpcodec.FrameSamples
		_, _ = h.MarshalTo(plain)
		pkt, _ := encrypt.EncryptRTP(buf[:0], plain, nil)
		b.StartTimer()
		s.handlePacket(pkt, peer, 0)
	}
	if s.Stats().PacketsDropped != 0 {
		b.Fatalf("%d packets dropped", s.Stats().PacketsDropped)
	}
}
