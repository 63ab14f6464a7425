package sdp

import (
	"errors"
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/srtp"
)

func TestSecureOfferAnswer(t *testing.T) {
	ours, _ := srtp.NewSDESKey(1, srtp.AESCM128HMACSHA1_80)
	offer := BuildSecureOffer(peer, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA}, 101, SendRecv, 1, 1, ours)
	// The peer negotiates our offer and answers with its own key.
	n, err := Negotiate(offer, []rtpcodec.Codec{rtpcodec.PCMA})
	if err != nil {
		t.Fatal(err)
	}
	if !n.Secure() || n.Crypto != ours || n.Transport != "RTP/SAVP" {
		t.Fatalf("offer negotiates to %+v", n)
	}
	if err := n.AnswerKey(); err != nil {
		t.Fatal(err)
	}
	if n.LocalCrypto.Tag != ours.Tag || n.LocalCrypto.Suite != ours.Suite || n.LocalCrypto.KeySalt == ours.KeySalt {
		t.Fatalf("answer key %v", n.LocalCrypto)
	}
	answer := n.Answer(peer, 2, 1)
	desc := parseSDP(t, answer)
	if got := desc.MediaDescriptions[0].MediaName.Protos; strings.Join(got, "/") != "RTP/SAVP" {
		t.Fatalf("answer proto %v", got)
	}
	// Back at the offerer: the answer must carry our tag and suite.
	back, err := Negotiate(answer, []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA})
	if err != nil {
		t.Fatal(err)
	}
	if err := back.CheckAnswerCrypto(ours); err != nil {
		t.Fatal(err)
	}
	if back.SRTPKeys() != (srtp.Keys{Local: ours, Remote: n.LocalCrypto}) {
		t.Fatal("keys are not ours and theirs")
	}
	wrongTag := ours
	wrongTag.Tag = 2
	if err := back.CheckAnswerCrypto(wrongTag); !errors.Is(err, srtp.ErrCryptoMismatch) {
		t.Fatalf("tag mismatch: %v", err)
	}
	plain, _ := Negotiate(BuildOffer(peer, []rtpcodec.Codec{rtpcodec.PCMU}, 0, SendRecv, 1, 1), []rtpcodec.Codec{rtpcodec.PCMU})
	if err := plain.CheckAnswerCrypto(ours); !errors.Is(err, srtp.ErrSRTPRequired) {
		t.Fatalf("plain answer: %v", err)
	}
}
