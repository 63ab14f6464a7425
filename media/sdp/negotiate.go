package sdp

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	psdp "github.com/pion/sdp/v3"

	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/srtp"
)

// SDP negotiation errors. ErrMalformedSDP and ErrNoAudio mean the request
// is bad (400); the others mean it is well-formed but unacceptable (488).
var (
	ErrMalformedSDP         = errors.New("media: malformed SDP")
	ErrNoAudio              = errors.New("media: no audio stream offered")
	ErrNoCommonCodec        = errors.New("media: no common codec")
	ErrUnsupportedTransport = errors.New("media: unsupported media transport")
	ErrUnsupportedAddress   = errors.New("media: unsupported connection address")
)

// Direction is an SDP media direction attribute.
type Direction uint8

// Directions, from the point of view of the side that wrote them.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String returns the SDP attribute name.
func (d Direction) String() string {
	switch d {
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	default:
		return "sendrecv"
	}
}

// Reverse returns the direction an answer must carry: what the offerer
// only sends, the answerer only receives.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	default:
		return d
	}
}

// Negotiated is the outcome of an SDP offer: what to send, where, and how
// the remote wants the media to flow.
type Negotiated struct {
	Codec           rtpcodec.Codec
	PayloadType     uint8 // as offered; may be dynamic
	DTMFPayloadType uint8 // telephone-event/8000; 0 = none offered
	// Remote is where to send RTP. It is the zero AddrPort when the offer
	// holds the call with an unspecified address (c=IN IP4 0.0.0.0).
	Remote    netip.AddrPort
	Direction Direction     // as offered by the remote
	Ptime     time.Duration // offered a=ptime, 20 ms when absent
	Transport string        // "RTP/AVP", "RTP/AVPF", "RTP/SAVP" or "RTP/SAVPF", echoed in the answer
	// Crypto is the remote's SDES key (RTP/SAVP and RTP/SAVPF only): the
	// first offered line with a suite we support.
	Crypto srtp.SDESKey
	// LocalCrypto is our SDES key, written into the answer; the caller
	// draws it (NewSDESKey with Crypto's tag and suite) before answering.
	LocalCrypto srtp.SDESKey

	// The offer's m-lines, one "<media> <proto> <first format>" per line,
	// so the answer can reject the others in place as RFC 3264 requires
	// (an answer has as many m-lines as the offer). A string rather than
	// a slice keeps Negotiated comparable with ==.
	offered string
	chosen  int
}

// Negotiate parses an SDP offer and picks the media to use. It takes the
// first audio m-line with a non-zero port and either an RTP/AVP(F)
// transport or an RTP/SAVP(F) one with an a=crypto line we support (so an
// SRTP offer with a plain-RTP fallback line works either way), and on it the
// first format, in the offer's order, that is in supported. Static payload
// types 0/8 and rtpmap names PCMU/8000 and PCMA/8000 under any payload
// type are recognised.
//
// A connection address of 0.0.0.0 (or ::) is RFC 2543 hold: the remote
// wants no media. It is reported as the zero Remote with the direction
// narrowed to what the offerer still sends (sendrecv → sendonly,
// recvonly → inactive), so the answer comes out as recvonly or inactive.
func Negotiate(offer []byte, supported []rtpcodec.Codec) (n Negotiated, err error) {
	// The parser handles untrusted input; a panic in it must not take the
	// server down with it.
	defer func() {
		if r := recover(); r != nil {
			n, err = Negotiated{}, fmt.Errorf("%w: parser failure: %v", ErrMalformedSDP, r)
		}
	}()
	if len(bytes.TrimSpace(offer)) == 0 {
		return Negotiated{}, fmt.Errorf("%w: empty body", ErrMalformedSDP)
	}
	var desc psdp.SessionDescription
	if err := desc.Unmarshal(offer); err != nil {
		return Negotiated{}, fmt.Errorf("%w: %w", ErrMalformedSDP, err)
	}
	index, codec, pt, key, err := chooseAudio(&desc, supported)
	if err != nil {
		return Negotiated{}, err
	}
	media := desc.MediaDescriptions[index]
	n = Negotiated{
		Codec:           codec,
		PayloadType:     pt,
		DTMFPayloadType: findTelephoneEvent(media),
		Direction:       offeredDirection(&desc, media),
		Ptime:           offeredPtime(media),
		Transport:       strings.Join(media.MediaName.Protos, "/"),
		Crypto:          key,
		offered:         describeOffer(&desc),
		chosen:          index,
	}
	addr, err := connectionAddress(&desc, media)
	if err != nil {
		return Negotiated{}, err
	}
	if addr.IsUnspecified() {
		n.Direction = holdDirection(n.Direction)
	} else {
		n.Remote = netip.AddrPortFrom(addr, uint16(media.MediaName.Port.Value))
	}
	return n, nil
}

// chooseAudio returns the index of the audio m-line to use with its codec.
// Errors rank by how close the offer came: a usable transport without a
// shared codec beats an unusable transport, which beats no audio at all.
func chooseAudio(desc *psdp.SessionDescription, supported []rtpcodec.Codec) (int, rtpcodec.Codec, uint8, srtp.SDESKey, error) {
	err := ErrNoAudio
	for i, media := range desc.MediaDescriptions {
		if media.MediaName.Media != "audio" || media.MediaName.Port.Value == 0 {
			continue
		}
		proto := strings.Join(media.MediaName.Protos, "/")
		var key srtp.SDESKey
		switch proto {
		case "RTP/AVP", "RTP/AVPF":
		case "RTP/SAVP", "RTP/SAVPF":
			k, kerr := offeredCrypto(media)
			if kerr != nil {
				if errors.Is(err, ErrNoAudio) || errors.Is(err, ErrUnsupportedTransport) {
					err = kerr
				}
				continue
			}
			key = k
		default:
			if errors.Is(err, ErrNoAudio) {
				err = fmt.Errorf("%w: %s", ErrUnsupportedTransport, proto)
			}
			continue
		}
		if codec, pt, ok := firstSupportedFormat(media, supported); ok {
			return i, codec, pt, key, nil
		}
		err = fmt.Errorf("%w: offered %s", ErrNoCommonCodec, strings.Join(media.MediaName.Formats, " "))
	}
	return 0, 0, 0, srtp.SDESKey{}, err
}

// offeredCrypto returns the first a=crypto line of an SRTP m-line that we
// can honour. Lines we cannot parse count as unsupported rather than
// malformed: the offer may still be fine for a peer with more suites.
func offeredCrypto(media *psdp.MediaDescription) (srtp.SDESKey, error) {
	var last error
	for _, a := range media.Attributes {
		if a.Key != "crypto" {
			continue
		}
		k, err := srtp.ParseCrypto(a.Value)
		if err == nil {
			return k, nil
		}
		last = err
	}
	if last == nil {
		return srtp.SDESKey{}, fmt.Errorf("%w: SRTP offered without a=crypto (DTLS-SRTP is not supported)", srtp.ErrNoCryptoSuite)
	}
	if errors.Is(last, srtp.ErrNoCryptoSuite) {
		return srtp.SDESKey{}, last
	}
	return srtp.SDESKey{}, fmt.Errorf("%w: %v", srtp.ErrNoCryptoSuite, last)
}

func firstSupportedFormat(media *psdp.MediaDescription, supported []rtpcodec.Codec) (rtpcodec.Codec, uint8, bool) {
	for _, format := range media.MediaName.Formats {
		pt, err := strconv.ParseUint(format, 10, 7)
		if err != nil {
			continue
		}
		codec, ok := codecForPayloadType(media, uint8(pt))
		if !ok {
			continue
		}
		for _, s := range supported {
			if s == codec {
				return codec, uint8(pt), true
			}
		}
	}
	return 0, 0, false
}

// codecForPayloadType trusts an rtpmap when there is one and falls back to
// the static assignments of RFC 3551, which need no rtpmap.
func codecForPayloadType(media *psdp.MediaDescription, pt uint8) (rtpcodec.Codec, bool) {
	if name, rate, channels, ok := rtpmapFor(media, pt); ok {
		if rate != rtpcodec.ClockRate || (channels != "" && channels != "1") {
			return 0, false
		}
		return rtpcodec.ParseCodec(name)
	}
	switch pt {
	case 0:
		return rtpcodec.PCMU, true
	case 8:
		return rtpcodec.PCMA, true
	case 9:
		return rtpcodec.G722, true
	}
	return 0, false
}

// rtpmapFor finds "a=rtpmap:<pt> <name>/<rate>[/<channels>]".
func rtpmapFor(media *psdp.MediaDescription, pt uint8) (name string, rate int, channels string, ok bool) {
	for _, a := range media.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		ptField, encoding, found := strings.Cut(strings.TrimSpace(a.Value), " ")
		if !found {
			continue
		}
		if p, err := strconv.ParseUint(ptField, 10, 8); err != nil || uint8(p) != pt {
			continue
		}
		parts := strings.Split(strings.TrimSpace(encoding), "/")
		if len(parts) < 2 {
			return "", 0, "", false
		}
		rate, err := strconv.Atoi(parts[1])
		if err != nil {
			return "", 0, "", false
		}
		if len(parts) > 2 {
			channels = parts[2]
		}
		return parts[0], rate, channels, true
	}
	return "", 0, "", false
}

// findTelephoneEvent returns the payload type of telephone-event/8000
// among the m-line's formats; offers often list several clock rates.
func findTelephoneEvent(media *psdp.MediaDescription) uint8 {
	for _, format := range media.MediaName.Formats {
		pt, err := strconv.ParseUint(format, 10, 7)
		if err != nil || pt == 0 {
			continue
		}
		name, rate, _, ok := rtpmapFor(media, uint8(pt))
		if ok && rate == rtpcodec.ClockRate && strings.EqualFold(name, "telephone-event") {
			return uint8(pt)
		}
	}
	return 0
}

func offeredDirection(desc *psdp.SessionDescription, media *psdp.MediaDescription) Direction {
	for _, attrs := range [][]psdp.Attribute{media.Attributes, desc.Attributes} {
		for _, a := range attrs {
			switch a.Key {
			case "sendrecv":
				return SendRecv
			case "sendonly":
				return SendOnly
			case "recvonly":
				return RecvOnly
			case "inactive":
				return Inactive
			}
		}
	}
	return SendRecv
}

// holdDirection removes the offerer's receiving side, which an unspecified
// connection address withdraws.
func holdDirection(d Direction) Direction {
	switch d {
	case SendRecv, SendOnly:
		return SendOnly
	default:
		return Inactive
	}
}

func offeredPtime(media *psdp.MediaDescription) time.Duration {
	if v, ok := media.Attribute("ptime"); ok {
		if ms, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && ms > 0 && ms <= 1000 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return rtpcodec.FrameDuration
}

// connectionAddress takes the media-level c= line, else the session's.
// Only literal unicast IPv4/IPv6 addresses are accepted: resolving a host
// name here would block call setup on DNS.
func connectionAddress(desc *psdp.SessionDescription, media *psdp.MediaDescription) (netip.Addr, error) {
	conn := media.ConnectionInformation
	if conn == nil {
		conn = desc.ConnectionInformation
	}
	if conn == nil || conn.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: no connection address", ErrMalformedSDP)
	}
	addr, err := netip.ParseAddr(conn.Address.Address)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: %q is not an IP address", ErrUnsupportedAddress, conn.Address.Address)
	}
	if (conn.AddressType == "IP4") != addr.Is4() {
		return netip.Addr{}, fmt.Errorf("%w: %s address %s", ErrMalformedSDP, conn.AddressType, addr)
	}
	if addr.IsMulticast() {
		return netip.Addr{}, fmt.Errorf("%w: multicast %s", ErrUnsupportedAddress, addr)
	}
	return addr, nil
}

func describeOffer(desc *psdp.SessionDescription) string {
	var b strings.Builder
	for i, m := range desc.MediaDescriptions {
		if i > 0 {
			b.WriteByte('\n')
		}
		format := "0"
		if len(m.MediaName.Formats) > 0 {
			format = m.MediaName.Formats[0]
		}
		proto := strings.Join(m.MediaName.Protos, "/")
		if proto == "" {
			proto = "RTP/AVP"
		}
		b.WriteString(m.MediaName.Media + " " + proto + " " + format)
	}
	return b.String()
}
