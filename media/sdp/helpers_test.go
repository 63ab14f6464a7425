package sdp

import (
	"net/netip"

	"github.com/hotline-oss/hotline/media/srtp"
)

// peer is a documentation address (RFC 5737) standing for the remote.
var peer = netip.MustParseAddrPort("192.0.2.50:40000")

func mustCrypto(value string) srtp.SDESKey {
	k, err := srtp.ParseCrypto(value)
	if err != nil {
		panic(err)
	}
	return k
}

// rfcKey is the key of the example in RFC 4568 section 9.1.
const rfcKey = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
