package sip

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
)

// transportTLS is how sipgo spells the TLS transport in requests.
const transportTLS = "TLS"

// TLSConfig turns on SIP over TLS and the policies that go with it.
type TLSConfig struct {
	Listen netip.AddrPort // ":0" port: the OS picks one (see TLSAddr)
	// Certificates and MinVersion are used; the rest of the listener's
	// tls.Config is ours.
	Certificates []tls.Certificate
	MinVersion   uint16
	// SecureNumber reports hotline numbers that accept only TLS + SRTP.
	SecureNumber func(number string) bool
	// AgentRequiresSecure reports agents that must register over TLS and
	// whose calls are offered SRTP only.
	AgentRequiresSecure func(user string) bool
}

// Why a secure-only number or agent refused a request.
var (
	errTLSRequired  = errors.New("TLS transport required")
	errSRTPRequired = errors.New("SRTP (RTP/SAVP with a=crypto) required")
)

// listenTLS binds the TLS listener; called from Start.
func (e *Endpoint) listenTLS() error {
	c := e.cfg.TLS
	if c == nil {
		return nil
	}
	if len(c.Certificates) == 0 {
		return errors.New("sip: tls: no certificate")
	}
	minVersion := c.MinVersion
	if minVersion < tls.VersionTLS12 {
		minVersion = tls.VersionTLS12
	}
	conf := &tls.Config{Certificates: c.Certificates, MinVersion: minVersion}
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(c.Listen))
	if err != nil {
		return fmt.Errorf("sip: listen tls %s: %w", c.Listen, err)
	}
	e.tlsAddr = ln.Addr().(*net.TCPAddr).AddrPort()
	e.tls = tls.NewListener(ln, conf)
	return nil
}

// serveTLS serves the TLS listener once the stack is built. In-dialog
// requests of TLS dialogs must come back over TLS, so those dialogs carry
// a Contact with transport=tls and the TLS port.
func (e *Endpoint) serveTLS() {
	if e.tls == nil {
		return
	}
	e.tlsDlgUA = &sipgo.DialogUA{
		Client: e.dlgUA.Client,
		ContactHDR: sipmsg.ContactHeader{Address: sipmsg.Uri{
			Host: e.contactHost().String(), Port: int(e.tlsAddr.Port()),
			UriParams: sipmsg.HeaderParams{{K: "transport", V: "tls"}},
		}},
		RewriteContact: e.dlgUA.RewriteContact,
	}
	e.serve.Add(1)
	go func() { defer e.serve.Done(); _ = e.server.ServeTLS(e.tls) }()
	e.log.Info("sip tls listening", "addr", e.tlsAddr.String())
}

// TLSAddr is the bound TLS address; invalid when TLS is off.
func (e *Endpoint) TLSAddr() netip.AddrPort { return e.tlsAddr }

// dialogUA returns the dialog user agent for a transport, so that the
// Contact we put in a dialog names the transport it runs on.
func (e *Endpoint) dialogUA(transport string) *sipgo.DialogUA {
	if e.tlsDlgUA != nil && sipmsg.NetworkToLower(transport) == "tls" {
		return e.tlsDlgUA
	}
	return e.dlgUA
}

// isTLS reports whether a request arrived over TLS.
func isTLS(req *sipmsg.Request) bool {
	return sipmsg.NetworkToLower(req.Transport()) == "tls"
}

func (e *Endpoint) secureNumber(number string) bool {
	return e.cfg.TLS != nil && e.cfg.TLS.SecureNumber != nil && e.cfg.TLS.SecureNumber(number)
}

func (e *Endpoint) agentRequiresSecure(user string) bool {
	return e.cfg.TLS != nil && e.cfg.TLS.AgentRequiresSecure != nil && e.cfg.TLS.AgentRequiresSecure(user)
}

// refuseInsecure answers 403 when a request that must come over TLS did
// not; true means it was refused. The Warning tells the phone's user why.
func (e *Endpoint) refuseInsecure(req *sipmsg.Request, tx sipmsg.ServerTransaction, mustTLS bool, what string) bool {
	if !mustTLS || isTLS(req) {
		return false
	}
	e.log.Info("request refused: TLS required", "method", req.Method.String(), "for", what,
		"transport", req.Transport(), "source", sourceAddr(req).String())
	e.reply(req, tx, sipmsg.StatusForbidden, "Forbidden",
		sipmsg.NewHeader("Warning", `399 hotline "`+errTLSRequired.Error()+`"`))
	return true
}

// callerSRTP applies the media side of the policy to a caller's
// negotiated offer and keys SRTP when the offer asked for it. It returns
// nil for plain RTP, or the SIP status to refuse with.
func (e *Endpoint) callerSRTP(number string, neg *sdp.Negotiated) (*srtp.Session, int, error) {
	if !neg.Secure() {
		if e.secureNumber(number) {
			return nil, sipmsg.StatusNotAcceptableHere, fmt.Errorf("number %s: %w", number, errSRTPRequired)
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

// agentOffer builds the SDP offer to an agent: SRTP with a fresh key for
// agents that require it (the returned key is then valid), plain RTP
// otherwise.
func (e *Endpoint) agentOffer(agent string, local netip.AddrPort, session uint64) ([]byte, srtp.SDESKey, error) {
	if !e.agentRequiresSecure(agent) {
		return sdp.BuildOffer(local, e.cfg.AgentCodecs, 101, sdp.SendRecv, session, 1), srtp.SDESKey{}, nil
	}
	key, err := srtp.NewSDESKey(1, srtp.AESCM128HMACSHA1_80)
	if err != nil {
		return nil, srtp.SDESKey{}, err
	}
	return sdp.BuildSecureOffer(local, e.cfg.AgentCodecs, 101, sdp.SendRecv, session, 1, key), key, nil
}

// agentSRTP checks an agent's answer against our offer's key and keys
// SRTP; nil for a plain-RTP call.
func agentSRTP(offered srtp.SDESKey, neg *sdp.Negotiated) (*srtp.Session, error) {
	if !offered.Valid() {
		return nil, nil
	}
	if err := neg.CheckAnswerCrypto(offered); err != nil {
		return nil, err
	}
	return srtp.New(neg.SRTPKeys())
}

// rekey carries our SDES key over to a re-INVITE's negotiation and keys
// the stream anew when the peer changed its key. A re-INVITE may not
// switch a call between RTP and SRTP: that gives 488.
func rekey(stream *media.Stream, old sdp.Negotiated, neg *sdp.Negotiated) error {
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

// refusalReason names why a call was refused at setup, for CallEnded:
// SRTP refusals get their own reasons rather than the generic one of
// their status code.
func refusalReason(code int, err error) string {
	switch {
	case errors.Is(err, errSRTPRequired):
		return "srtp_required"
	case errors.Is(err, srtp.ErrNoCryptoSuite):
		return "no_crypto_suite"
	}
	return reasonForStatus(code)
}
