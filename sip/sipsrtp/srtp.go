package sipsrtp

import (
	"fmt"
	"net/netip"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
	"github.com/hotline-oss/hotline/sip/sipstatus"
)

// Caller applies the media side of the policy to a caller's negotiated
// offer (secureOnly: the number accepts only SRTP) and keys SRTP when the
// offer asked for it. It returns nil for plain RTP, or the SIP status to
// refuse with.
func Caller(number string, secureOnly bool, neg *sdp.Negotiated) (*srtp.Session, int, error) {
	if !neg.Secure() {
		if secureOnly {
			return nil, sipmsg.StatusNotAcceptableHere, fmt.Errorf("number %s: %w", number, sipstatus.ErrSRTPRequired)
		}
		return nil, 0, nil
	}
	if err := neg.AnswerKey(); err != nil {
		return nil, sipmsg.StatusServiceUnavailable, err
	}
	sec, err := srtp.New(neg.SRTPKeys())
	if err != nil {
		return nil, sipmsg.StatusNotAcceptableHere, err
	}
	return sec, 0, nil
}

// AgentOffer builds the SDP offer to an agent: SRTP with a fresh key when
// secure (the returned key is then valid), plain RTP otherwise.
func AgentOffer(secure bool, codecs []rtpcodec.Codec, local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
	if !secure {
		return sdp.BuildOffer(local, codecs, 101, sdp.SendRecv, session, 1), srtp.SDESKey{}, nil
	}
	key, err := srtp.NewSDESKey(1, srtp.AESCM128HMACSHA1_80)
	if err != nil {
		return nil, srtp.SDESKey{}, err
	}
	return sdp.BuildSecureOffer(local, codecs, 101, sdp.SendRecv, session, 1, key), key, nil
}

// Agent checks an agent's answer against our offer's key and keys
// SRTP; nil for a plain-RTP call.
func Agent(offered srtp.SDESKey, neg *sdp.Negotiated) (*srtp.Session, error) {
	if !offered.Valid() {
		return nil, nil
	}
	if err := neg.CheckAnswerCrypto(offered); err != nil {
		return nil, err
	}
	return srtp.New(neg.SRTPKeys())
}

// Rekey carries our SDES key over to a re-INVITE's negotiation and keys
// the stream anew when the peer changed its key. A re-INVITE may not
// switch a call between RTP and SRTP: that gives 488.
func Rekey(stream *media.Stream, old sdp.Negotiated, neg *sdp.Negotiated) error {
	if old.Secure() != neg.Secure() {
		return fmt.Errorf("%w: re-INVITE changes %s to %s", srtp.ErrCryptoMismatch, old.Transport, neg.Transport)
	}
	if !neg.Secure() {
		return nil
	}
	if neg.Crypto == old.Crypto {
		neg.LocalCrypto = old.LocalCrypto
		return nil
	}
	// The peer re-keyed: answer with a fresh key of ours too, so both
	// directions start new SRTP contexts (and rollover counters) together.
	if err := neg.AnswerKey(); err != nil {
		return err
	}
	sec, err := srtp.New(neg.SRTPKeys())
	if err != nil {
		return err
	}
	stream.SetSRTP(sec)
	return nil
}
