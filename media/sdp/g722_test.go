package sdp

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

func TestNegotiateG722(t *testing.T) {
	offer := func(formats string, attrs ...string) []byte {
		lines := []string{"v=0", "o=- 1 1 IN IP4 192.0.2.9", "s=-", "c=IN IP4 192.0.2.9", "t=0 0",
			"m=audio 4000 RTP/AVP " + formats}
		return []byte(strings.Join(append(lines, attrs...), "\r\n") + "\r\n")
	}
	cases := []struct {
		name      string
		offer     []byte
		supported []rtpcodec.Codec
		want      rtpcodec.Codec
		wantPT    uint8
		wantErr   bool
	}{
		{"static 9 without rtpmap", offer("9 0 101", "a=rtpmap:101 telephone-event/8000"), []rtpcodec.Codec{rtpcodec.G722, rtpcodec.PCMU}, rtpcodec.G722, 9, false},
		{"offerer's order wins", offer("0 9"), []rtpcodec.Codec{rtpcodec.G722, rtpcodec.PCMU}, rtpcodec.PCMU, 0, false},
		{"dynamic G722 by rtpmap", offer("96 0", "a=rtpmap:96 G722/8000"), []rtpcodec.Codec{rtpcodec.G722, rtpcodec.PCMU}, rtpcodec.G722, 96, false},
		{"G722 at 16000 is not G.722 as RFC 3551 clocks it", offer("96", "a=rtpmap:96 G722/16000"), []rtpcodec.Codec{rtpcodec.G722}, 0, 0, true},
		{"not supported by us", offer("9"), []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA}, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Negotiate(tc.offer, tc.supported)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("negotiated %s", n.Codec)
				}
				return
			}
			if err != nil || n.Codec != tc.want || n.PayloadType != tc.wantPT {
				t.Fatalf("got %s/%d %v, want %s/%d", n.Codec, n.PayloadType, err, tc.want, tc.wantPT)
			}
		})
	}
	offered := string(BuildOffer(netip.MustParseAddrPort("192.0.2.1:5000"), []rtpcodec.Codec{rtpcodec.G722, rtpcodec.PCMU, rtpcodec.PCMA}, 101, SendRecv, 1, 1))
	if !strings.Contains(offered, "m=audio 5000 RTP/AVP 9 0 8 101") || !strings.Contains(offered, "a=rtpmap:9 G722/8000") {
		t.Fatalf("offer:\n%s", offered)
	}
	if c, ok := rtpcodec.ParseCodec("g722"); !ok || c != rtpcodec.G722 || c.PayloadType() != 9 || c.Narrowband() != rtpcodec.PCMU {
		t.Fatalf("ParseCodec(g722) = %v %v", c, ok)
	}
}
