package sdp

import (
	"fmt"
	"net/netip"

	psdp "github.com/pion/sdp/v3"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/srtp"
)

// Secure reports whether the negotiated transport is SRTP (RTP/SAVP or
// RTP/SAVPF with an SDES key).
func (n Negotiated) Secure() bool { return n.Crypto.Valid() }

// addCrypto writes k as an a=crypto attribute; an invalid k writes nothing.
func addCrypto(m *psdp.MediaDescription, k srtp.SDESKey) {
	if k.Valid() {
		m.Attributes = append(m.Attributes, psdp.NewAttribute("crypto", k.Attribute()))
	}
}

// BuildSecureOffer is BuildOffer for SRTP: an RTP/SAVP m-line carrying key
// as its only a=crypto line, so the answer must use it or refuse.
func BuildSecureOffer(local netip.AddrPort, codecs []rtpcodec.Codec, dtmfPT uint8, dir Direction, sessionID, version uint64, key srtp.SDESKey) []byte {
	desc := newDescription(local.Addr(), sessionID, version)
	audio := audioMedia(local.Port(), "RTP/SAVP")
	for _, c := range codecs {
		addFormat(audio, c.PayloadType(), c.String())
	}
	if dtmfPT != 0 {
		addTelephoneEvent(audio, dtmfPT)
	}
	addCrypto(audio, key)
	finishAudio(audio, dir)
	desc.MediaDescriptions = []*psdp.MediaDescription{audio}
	return marshal(desc)
}

// AnswerKey draws our SDES key for an answer to an SRTP offer: the same tag
// and suite as the remote's line, a fresh key. For a plain-RTP offer it
// leaves n unchanged.
func (n *Negotiated) AnswerKey() error {
	if !n.Crypto.Valid() {
		return nil
	}
	k, err := srtp.NewSDESKey(n.Crypto.Tag, n.Crypto.Suite)
	if err != nil {
		return err
	}
	n.LocalCrypto = k
	return nil
}

// CheckAnswerCrypto verifies an answer to our SRTP offer of key: it must
// be SRTP and name our tag and suite (RFC 4568 section 7.1.3). On success
// n.LocalCrypto is set to key.
func (n *Negotiated) CheckAnswerCrypto(key srtp.SDESKey) error {
	if !n.Crypto.Valid() {
		return fmt.Errorf("%w: answer is %s", srtp.ErrSRTPRequired, n.Transport)
	}
	if n.Crypto.Tag != key.Tag || n.Crypto.Suite != key.Suite {
		return fmt.Errorf("%w: answered tag %d %s, offered tag %d %s",
			srtp.ErrCryptoMismatch, n.Crypto.Tag, n.Crypto.Suite, key.Tag, key.Suite)
	}
	n.LocalCrypto = key
	return nil
}

// SRTPKeys returns the keys for NewSRTP once both sides are known.
func (n Negotiated) SRTPKeys() srtp.Keys {
	return srtp.Keys{Local: n.LocalCrypto, Remote: n.Crypto}
}
