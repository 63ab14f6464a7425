package sip

import (
	sipmsg "github.com/emiago/sipgo/sip"
)

// streamTransports gives sipgo's TCP and TLS transports the idle timeout.
// sipgo arms a read deadline before every read of a connection, so any
// bytes the peer sends, an RFC 5626 CRLF keep-alive included, restart the
// count; a connection silent for the whole timeout (an idle client, or one
// that stopped half-way through a message) is closed and its reading
// goroutine ends. Zero keeps sipgo's default: no timeout.
func (e *Endpoint) streamTransports() sipmsg.TransportLayerOption {
	d := e.cfg.TCPIdleTimeout
	return sipmsg.WithTransportLayerTransports(sipmsg.TransportsConfig{
		TCP: &sipmsg.TransportTCP{ReadTimeout: d},
		TLS: &sipmsg.TransportTLS{TransportTCP: &sipmsg.TransportTCP{ReadTimeout: d}},
	})
}
