package rtpaudio

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/pion/rtp"
)

func TestSRTPSessionsTalk(t *testing.T) {
	offerer, answerer := newSRTPSession(), newSRTPSession()
	offer := offerer.offerAttr(true)
	if !strings.HasPrefix(offer, "1 AES_CM_128_HMAC_SHA1_80 inline:") || offerer.offerAttr(false) != "" {
		t.Fatalf("offer %q", offer)
	}
	answer := answerer.answerAttr(offer)
	if !strings.HasPrefix(answer, "1 AES_CM_128_HMAC_SHA1_80 inline:") || answer == offer {
		t.Fatalf("answer %q", answer)
	}
	if err := answerer.setRemote(offer); err != nil {
		t.Fatal(err)
	}
	if err := offerer.setRemote(answer); err != nil {
		t.Fatal(err)
	}
	plain, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, SSRC: 5}, Payload: bytes.Repeat([]byte{0x55}, 160)}).Marshal()
	for _, dir := range []struct{ from, to *srtpSession }{{offerer, answerer}, {answerer, offerer}} {
		enc, err := dir.from.protect(plain)
		if err != nil || bytes.Equal(enc[12:172], plain[12:]) {
			t.Fatalf("protect: %v", err)
		}
		got, ok := dir.to.unprotect(enc)
		if !ok || !bytes.Equal(got, plain) {
			t.Fatal("peer cannot decrypt")
		}
		if _, ok := dir.to.unprotect(plain); ok || dir.to.authFailures.Load() != 1 {
			t.Fatal("plain RTP accepted on an SRTP session")
		}
	}
	if !offerer.active() || answerer.answerAttr("") != "" {
		t.Fatal("state")
	}
	if err := offerer.setRemote(""); err != nil || offerer.active() {
		t.Fatal("plain RTP does not turn SRTP off")
	}
}

func TestParseSDES(t *testing.T) {
	tag, suite, key, err := parseSDES("3 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20")
	if err != nil || tag != 3 || suite != sdesSuite32 || key != "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" {
		t.Fatalf("%d %s %s %v", tag, suite, key, err)
	}
	for _, bad := range []string{"", "1 AES_CM_128_HMAC_SHA1_80", "x AES_CM_128_HMAC_SHA1_80 inline:a", "1 F8_128_HMAC_SHA1_80 inline:a", "1 AES_CM_128_HMAC_SHA1_80 key:a"} {
		if _, _, _, err := parseSDES(bad); !errors.Is(err, ErrSRTP) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if err := newSRTPSession().setRemote("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ="); !errors.Is(err, ErrSRTP) {
		t.Errorf("short key: %v", err)
	}
}
