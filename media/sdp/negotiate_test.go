package sdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	psdp "github.com/pion/sdp/v3"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/srtp"
)

// crlf turns a readable multi-line literal into SDP wire form.
func crlf(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

var (
	sippOffer = crlf(
		"v=0",
		"o=user1 53655765 2353687637 IN IP4 127.0.0.1",
		"s=-",
		"c=IN IP4 127.0.0.1",
		"t=0 0",
		"m=audio 6000 RTP/AVP 0",
		"a=rtpmap:0 PCMU/8000",
	)
	linphoneOffer = crlf(
		"v=0",
		"o=alice 1234 5678 IN IP4 192.168.1.10",
		"s=Talk",
		"c=IN IP4 192.168.1.10",
		"t=0 0",
		"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
		"m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100",
		"a=rtpmap:96 opus/48000/2",
		"a=fmtp:96 useinbandfec=1",
		"a=rtpmap:97 speex/16000",
		"a=rtpmap:98 speex/8000",
		"a=fmtp:18 annexb=yes",
		"a=rtpmap:101 telephone-event/48000",
		"a=rtpmap:99 telephone-event/16000",
		"a=rtpmap:100 telephone-event/8000",
		"a=rtcp-fb:* trr-int 1000",
	)
	baresipOffer = crlf(
		"v=0",
		"o=- 1441253123 1441253124 IN IP4 10.0.0.2",
		"s=-",
		"c=IN IP4 10.0.0.2",
		"t=0 0",
		"m=audio 10000 RTP/AVP 8 0 101",
		"b=AS:80",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendrecv",
		"a=label:1",
		"a=ssrc:1234567 cname:abc@example",
		"a=rtcp-rsize",
		"a=ptime:30",
	)
)

// offer builds a one-line-per-argument SDP around an audio m-line.
func offer(session []string, media ...string) []byte {
	head := []string{"v=0", "o=- 1 1 IN IP4 198.51.100.7", "s=-"}
	head = append(head, session...)
	return crlf(append(head, media...)...)
}

var ipv4Session = []string{"c=IN IP4 198.51.100.7", "t=0 0"}

func TestNegotiate(t *testing.T) {
	both := []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA}
	remote := netip.MustParseAddrPort("198.51.100.7:4000")
	cases := []struct {
		name      string
		offer     []byte
		supported []rtpcodec.Codec
		want      Negotiated
	}{
		{"sipp", sippOffer, both, Negotiated{Codec: rtpcodec.PCMU, PayloadType: 0,
			Remote: netip.MustParseAddrPort("127.0.0.1:6000")}},
		{"linphone picks first G.711 and telephone-event/8000", linphoneOffer, both, Negotiated{Codec: rtpcodec.PCMU, PayloadType: 0,
			DTMFPayloadType: 100, Remote: netip.MustParseAddrPort("192.168.1.10:7078")}},
		{"baresip PCMA first", baresipOffer, both, Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8, DTMFPayloadType: 101,
			Remote: netip.MustParseAddrPort("10.0.0.2:10000"), Ptime: 30 * time.Millisecond}},
		{"offer order beats ours", baresipOffer, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA}, Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8,
			DTMFPayloadType: 101, Remote: netip.MustParseAddrPort("10.0.0.2:10000"), Ptime: 30 * time.Millisecond}},
		{"only what we support", baresipOffer, []rtpcodec.Codec{rtpcodec.PCMU}, Negotiated{Codec: rtpcodec.PCMU, PayloadType: 0,
			DTMFPayloadType: 101, Remote: netip.MustParseAddrPort("10.0.0.2:10000"), Ptime: 30 * time.Millisecond}},
		{"static without rtpmap", offer(ipv4Session, "m=audio 4000 RTP/AVP 18 8 0"), both,
			Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8, Remote: remote}},
		{"dynamic PCMU and DTMF 96", offer(ipv4Session, "m=audio 4000 RTP/AVP 112 96",
			"a=rtpmap:112 pcmu/8000", "a=rtpmap:96 telephone-event/8000"), both,
			Negotiated{Codec: rtpcodec.PCMU, PayloadType: 112, DTMFPayloadType: 96, Remote: remote}},
		{"rtpmap overrides static", offer(ipv4Session, "m=audio 4000 RTP/AVP 0 8", "a=rtpmap:0 G729/8000"), both,
			Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8, Remote: remote}},
		{"stereo PCMU skipped", offer(ipv4Session, "m=audio 4000 RTP/AVP 97 0", "a=rtpmap:97 PCMU/8000/2"), both,
			Negotiated{Codec: rtpcodec.PCMU, PayloadType: 0, Remote: remote}},
		{"telephone-event not in formats ignored", offer(ipv4Session, "m=audio 4000 RTP/AVP 0",
			"a=rtpmap:101 telephone-event/8000"), both, Negotiated{Codec: rtpcodec.PCMU, Remote: remote}},
		{"session-level c", offer([]string{"c=IN IP4 203.0.113.9", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: netip.MustParseAddrPort("203.0.113.9:4000")}},
		{"media-level c wins", offer([]string{"c=IN IP4 203.0.113.9", "t=0 0"}, "m=audio 4000 RTP/AVP 0",
			"c=IN IP4 198.51.100.7"), both, Negotiated{Codec: rtpcodec.PCMU, Remote: remote}},
		{"ipv6", offer([]string{"c=IN IP6 2001:db8::5", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: netip.MustParseAddrPort("[2001:db8::5]:4000")}},
		{"media sendonly", offer(ipv4Session, "m=audio 4000 RTP/AVP 0", "a=sendonly"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: remote, Direction: SendOnly}},
		{"session recvonly", offer(append(ipv4Session, "a=recvonly"), "m=audio 4000 RTP/AVP 0"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: remote, Direction: RecvOnly}},
		{"media beats session", offer(append(ipv4Session, "a=inactive"), "m=audio 4000 RTP/AVP 0", "a=sendrecv"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: remote, Direction: SendRecv}},
		{"inactive", offer(ipv4Session, "m=audio 4000 RTP/AVP 0", "a=inactive"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: remote, Direction: Inactive}},
		{"old-style hold", offer([]string{"c=IN IP4 0.0.0.0", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), both,
			Negotiated{Codec: rtpcodec.PCMU, Direction: SendOnly}},
		{"old-style hold recvonly", offer([]string{"c=IN IP4 0.0.0.0", "t=0 0"}, "m=audio 4000 RTP/AVP 0", "a=recvonly"), both,
			Negotiated{Codec: rtpcodec.PCMU, Direction: Inactive}},
		{"first audio with a port", offer(ipv4Session, "m=audio 0 RTP/AVP 0", "m=video 5000 RTP/AVP 96",
			"m=audio 4000 RTP/AVP 8"), both, Negotiated{Codec: rtpcodec.PCMA, PayloadType: 8, Remote: remote}},
		{"SRTP with RTP fallback line", offer(ipv4Session, "m=audio 5000 RTP/SAVP 0",
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
			"m=audio 4000 RTP/AVP 0"), both, Negotiated{Codec: rtpcodec.PCMU, Transport: "RTP/SAVP",
			Remote: netip.AddrPortFrom(remote.Addr(), 5000), Crypto: mustCrypto("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")}},
		{"unusable SRTP line, RTP fallback", offer(ipv4Session, "m=audio 5000 RTP/SAVP 0",
			"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
			"m=audio 4000 RTP/AVP 0"), both, Negotiated{Codec: rtpcodec.PCMU, Remote: remote}},
		{"AVPF", offer(ipv4Session, "m=audio 4000 RTP/AVPF 0"), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: remote, Transport: "RTP/AVPF"}},
		{"LF line endings", []byte(strings.ReplaceAll(string(sippOffer), "\r\n", "\n")), both,
			Negotiated{Codec: rtpcodec.PCMU, Remote: netip.MustParseAddrPort("127.0.0.1:6000")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Negotiate(tc.offer, tc.supported)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want.Ptime == 0 {
				want.Ptime = 20 * time.Millisecond
			}
			if want.Transport == "" {
				want.Transport = "RTP/AVP"
			}
			got.offered, got.chosen = "", 0
			if got != want {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestNegotiateErrors(t *testing.T) {
	cases := []struct {
		name  string
		offer []byte
		want  error
	}{
		{"empty", nil, ErrMalformedSDP},
		{"garbage", []byte("hello world"), ErrMalformedSDP},
		{"binary", []byte{0, 1, 2, 0xff, '\n'}, ErrMalformedSDP},
		{"truncated", sippOffer[:40], ErrMalformedSDP},
		{"no connection address", offer([]string{"t=0 0"}, "m=audio 4000 RTP/AVP 0"), ErrMalformedSDP},
		{"IP4 with v6 address", offer([]string{"c=IN IP4 2001:db8::1", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), ErrMalformedSDP},
		{"no common codec", offer(ipv4Session, "m=audio 4000 RTP/AVP 18 9 96", "a=rtpmap:96 opus/48000/2"), ErrNoCommonCodec},
		{"only telephone-event", offer(ipv4Session, "m=audio 4000 RTP/AVP 101", "a=rtpmap:101 telephone-event/8000"), ErrNoCommonCodec},
		{"SAVP without crypto", offer(ipv4Session, "m=audio 4000 RTP/SAVP 0"), srtp.ErrNoCryptoSuite},
		{"SAVPF without crypto", offer(ipv4Session, "m=audio 4000 RTP/SAVPF 0"), srtp.ErrNoCryptoSuite},
		{"SAVP unsupported suite", offer(ipv4Session, "m=audio 4000 RTP/SAVP 0",
			"a=crypto:1 AEAD_AES_256_GCM inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"), srtp.ErrNoCryptoSuite},
		{"SAVP bad key", offer(ipv4Session, "m=audio 4000 RTP/SAVP 0",
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ="), srtp.ErrNoCryptoSuite},
		{"DTLS-SRTP", offer(ipv4Session, "m=audio 9 UDP/TLS/RTP/SAVPF 111 0"), ErrUnsupportedTransport},
		{"no media", offer(ipv4Session), ErrNoAudio},
		{"video only", offer(ipv4Session, "m=video 5000 RTP/AVP 96"), ErrNoAudio},
		{"audio disabled", offer(ipv4Session, "m=audio 0 RTP/AVP 0"), ErrNoAudio},
		{"fqdn", offer([]string{"c=IN IP4 pbx.example.com", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), ErrUnsupportedAddress},
		{"multicast", offer([]string{"c=IN IP4 224.2.1.1", "t=0 0"}, "m=audio 4000 RTP/AVP 0"), ErrUnsupportedAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Negotiate(tc.offer, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := Negotiate(sippOffer, nil); !errors.Is(err, ErrNoCommonCodec) {
		t.Fatalf("no supported codecs: err = %v", err)
	}
}

// parseSDP is the test's independent view of what we wrote.
func parseSDP(t *testing.T, raw []byte) *psdp.SessionDescription {
	t.Helper()
	var desc psdp.SessionDescription
	if err := desc.Unmarshal(raw); err != nil {
		t.Fatalf("our SDP does not parse: %v\n%s", err, raw)
	}
	return &desc
}

func attr(m *psdp.MediaDescription, key string) []string {
	var out []string
	for _, a := range m.Attributes {
		if a.Key == key {
			out = append(out, a.Value)
		}
	}
	return out
}

func TestAnswer(t *testing.T) {
	n, err := Negotiate(linphoneOffer, []rtpcodec.Codec{rtpcodec.PCMA, rtpcodec.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	local := netip.MustParseAddrPort("192.0.2.1:20000")
	raw := n.Answer(local, 42, 7)
	desc := parseSDP(t, raw)
	if desc.Origin.SessionID != 42 || desc.Origin.SessionVersion != 7 || desc.Origin.UnicastAddress != "192.0.2.1" {
		t.Errorf("origin %+v", desc.Origin)
	}
	if desc.ConnectionInformation == nil || desc.ConnectionInformation.Address.Address != "192.0.2.1" {
		t.Errorf("connection %+v", desc.ConnectionInformation)
	}
	if len(desc.TimeDescriptions) != 1 || len(desc.MediaDescriptions) != 1 {
		t.Fatalf("t= %d, m= %d", len(desc.TimeDescriptions), len(desc.MediaDescriptions))
	}
	m := desc.MediaDescriptions[0]
	if got := m.MediaName.String(); got != "audio 20000 RTP/AVP 0 100" {
		t.Errorf("m=%s", got)
	}
	wantRtpmap := []string{"0 PCMU/8000", "100 telephone-event/8000"}
	if got := attr(m, "rtpmap"); strings.Join(got, ",") != strings.Join(wantRtpmap, ",") {
		t.Errorf("rtpmap %v", got)
	}
	if got := attr(m, "fmtp"); len(got) != 1 || got[0] != "100 0-16" {
		t.Errorf("fmtp %v", got)
	}
	if got := attr(m, "ptime"); len(got) != 1 || got[0] != "20" {
		t.Errorf("ptime %v", got)
	}
	if len(attr(m, "sendrecv")) != 1 {
		t.Errorf("no a=sendrecv in\n%s", raw)
	}
	// Re-INVITE answers bump only the version.
	desc = parseSDP(t, n.Answer(local, 42, 8))
	if desc.Origin.SessionID != 42 || desc.Origin.SessionVersion != 8 {
		t.Errorf("re-INVITE origin %+v", desc.Origin)
	}
}

func TestAnswerDirections(t *testing.T) {
	cases := []struct {
		offered string
		want    string
	}{
		{"a=sendrecv", "sendrecv"},
		{"a=sendonly", "recvonly"},
		{"a=recvonly", "sendonly"},
		{"a=inactive", "inactive"},
	}
	for _, tc := range cases {
		n, err := Negotiate(offer(ipv4Session, "m=audio 4000 RTP/AVP 8", tc.offered), []rtpcodec.Codec{rtpcodec.PCMA})
		if err != nil {
			t.Fatal(err)
		}
		m := parseSDP(t, n.Answer(netip.MustParseAddrPort("192.0.2.1:20000"), 1, 1)).MediaDescriptions[0]
		if len(attr(m, tc.want)) != 1 {
			t.Errorf("offer %s: answer lacks a=%s", tc.offered, tc.want)
		}
		if len(attr(m, "fmtp")) != 0 || m.MediaName.String() != "audio 20000 RTP/AVP 8" {
			t.Errorf("offer without DTMF: m=%s fmtp %v", m.MediaName.String(), attr(m, "fmtp"))
		}
	}
	if SendOnly.Reverse() != RecvOnly || RecvOnly.Reverse() != SendOnly || Inactive.Reverse() != Inactive || SendRecv.Reverse() != SendRecv {
		t.Error("Reverse is wrong")
	}
}

func TestAnswerRejectsOtherMediaInPlace(t *testing.T) {
	n, err := Negotiate(offer(ipv4Session,
		"m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000",
		"m=audio 5002 RTP/SAVP 0",
		"m=audio 4000 RTP/AVP 0"), []rtpcodec.Codec{rtpcodec.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	desc := parseSDP(t, n.Answer(netip.MustParseAddrPort("192.0.2.1:20000"), 1, 1))
	var lines []string
	for _, m := range desc.MediaDescriptions {
		lines = append(lines, m.MediaName.String())
	}
	want := "video 0 RTP/AVP 96|audio 0 RTP/SAVP 0|audio 20000 RTP/AVP 0"
	if strings.Join(lines, "|") != want {
		t.Fatalf("m-lines %q, want %q", strings.Join(lines, "|"), want)
	}
}

func TestAnswerIPv6(t *testing.T) {
	n := Negotiated{Codec: rtpcodec.PCMA, Direction: SendRecv} // hand-built: PT left 0
	desc := parseSDP(t, n.Answer(netip.MustParseAddrPort("[2001:db8::1]:30000"), 1, 1))
	c := desc.ConnectionInformation
	if c.AddressType != "IP6" || c.Address.Address != "2001:db8::1" || desc.Origin.AddressType != "IP6" {
		t.Fatalf("connection %+v origin %+v", c, desc.Origin)
	}
	if got := desc.MediaDescriptions[0].MediaName.String(); got != "audio 30000 RTP/AVP 8" {
		t.Fatalf("m=%s, want PCMA's static payload type", got)
	}
}

// What we offer, we must be able to negotiate, with the same outcome.
func TestBuildOfferRoundTrip(t *testing.T) {
	local := netip.MustParseAddrPort("192.0.2.10:40000")
	raw := BuildOffer(local, []rtpcodec.Codec{rtpcodec.PCMA, rtpcodec.PCMU}, 101, SendOnly, 9, 3)
	n, err := Negotiate(raw, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA})
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if n.Codec != rtpcodec.PCMA || n.PayloadType != 8 || n.DTMFPayloadType != 101 || n.Remote != local || n.Direction != SendOnly {
		t.Fatalf("negotiated %+v", n)
	}
	// And the answer to it is acceptable to the offerer.
	answer := n.Answer(netip.MustParseAddrPort("192.0.2.20:20000"), 5, 5)
	back, err := Negotiate(answer, []rtpcodec.Codec{rtpcodec.PCMA})
	if err != nil || back.Direction != RecvOnly || back.Codec != rtpcodec.PCMA || back.DTMFPayloadType != 101 {
		t.Fatalf("answer negotiates to %+v, %v", back, err)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, seed := range [][]byte{sippOffer, linphoneOffer, baresipOffer,
		offer(ipv4Session, "m=audio 4000 RTP/SAVP 0"),
		offer(ipv4Session, "m=audio 4000 RTP/SAVP 0", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+rfcKey+"|2^20"),
		offer([]string{"c=IN IP4 0.0.0.0", "t=0 0"}, "m=audio 4000 RTP/AVP 0", "a=sendonly"),
		offer([]string{"c=IN IP6 ::1", "t=0 0"}, "m=audio 4000/2 RTP/AVP 96", "a=rtpmap:96 PCMA/8000"),
		BuildOffer(netip.MustParseAddrPort("192.0.2.1:4000"), []rtpcodec.Codec{rtpcodec.PCMU}, 101, SendRecv, 1, 1),
		[]byte("v=0\r\n"), nil,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n, err := Negotiate(raw, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA})
		if err != nil {
			return
		}
		if !n.Codec.Valid() {
			t.Fatalf("negotiated invalid codec %d", n.Codec)
		}
		// Whatever we accepted, we must be able to answer validly.
		var desc psdp.SessionDescription
		if err := desc.Unmarshal(n.Answer(netip.MustParseAddrPort("192.0.2.1:20000"), 1, 1)); err != nil {
			t.Fatalf("answer does not parse: %v", err)
		}
	})
}
