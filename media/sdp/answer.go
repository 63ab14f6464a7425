package sdp

import (
	"net/netip"
	"strconv"
	"strings"

	psdp "github.com/pion/sdp/v3"

	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// sdpUsername and sdpSessionName fill the o= and s= lines we write.
const (
	sdpUsername    = "hotline"
	sdpSessionName = "hotline"
	dtmfEvents     = "0-16" // digits, * # A-D and flash
)

// Answer writes the SDP answer for n: our address, the chosen payload type
// plus telephone-event when the offer had it, a=ptime:20, and the reverse
// of the offered direction. Other m-lines of the offer are rejected with
// port 0 in their original position. sessionID and version fill the o=
// line; bump version for each re-INVITE answer in the same dialog.
func (n Negotiated) Answer(local netip.AddrPort, sessionID, version uint64) []byte {
	desc := newDescription(local.Addr(), sessionID, version)
	audio := audioMedia(local.Port(), n.Transport)
	pt := n.PayloadType
	if pt == 0 {
		pt = n.Codec.PayloadType() // a hand-built Negotiated may leave it unset
	}
	addFormat(audio, pt, n.Codec.String())
	if n.DTMFPayloadType != 0 {
		addTelephoneEvent(audio, n.DTMFPayloadType)
	}
	addCrypto(audio, n.LocalCrypto)
	finishAudio(audio, n.Direction.Reverse())

	if n.offered == "" {
		desc.MediaDescriptions = []*psdp.MediaDescription{audio}
		return marshal(desc)
	}
	for i, line := range strings.Split(n.offered, "\n") {
		if i == n.chosen {
			desc.MediaDescriptions = append(desc.MediaDescriptions, audio)
			continue
		}
		desc.MediaDescriptions = append(desc.MediaDescriptions, rejectedMedia(line))
	}
	return marshal(desc)
}

// BuildOffer writes an SDP offer for codecs (in preference order) and, when
// dtmfPT is non-zero, telephone-event under that payload type.
func BuildOffer(local netip.AddrPort, codecs []rtpcodec.Codec, dtmfPT uint8, dir Direction, sessionID, version uint64) []byte {
	desc := newDescription(local.Addr(), sessionID, version)
	audio := audioMedia(local.Port(), "RTP/AVP")
	for _, c := range codecs {
		addFormat(audio, c.PayloadType(), c.String())
	}
	if dtmfPT != 0 {
		addTelephoneEvent(audio, dtmfPT)
	}
	finishAudio(audio, dir)
	desc.MediaDescriptions = []*psdp.MediaDescription{audio}
	return marshal(desc)
}

func newDescription(addr netip.Addr, sessionID, version uint64) *psdp.SessionDescription {
	addrType, host := sdpAddress(addr)
	return &psdp.SessionDescription{
		Origin: psdp.Origin{
			Username:       sdpUsername,
			SessionID:      sessionID,
			SessionVersion: version,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: host,
		},
		SessionName: psdp.SessionName(sdpSessionName),
		ConnectionInformation: &psdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &psdp.Address{Address: host},
		},
		TimeDescriptions: []psdp.TimeDescription{{}},
	}
}

// sdpAddress formats addr for c= and o=; an unset address is written as
// 0.0.0.0, which a peer reads as "do not send to me".
func sdpAddress(addr netip.Addr) (addrType, host string) {
	if !addr.IsValid() {
		return "IP4", "0.0.0.0"
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return "IP4", addr.String()
	}
	return "IP6", addr.WithZone("").String()
}

func audioMedia(port uint16, transport string) *psdp.MediaDescription {
	if transport == "" {
		transport = "RTP/AVP"
	}
	return &psdp.MediaDescription{
		MediaName: psdp.MediaName{
			Media:  "audio",
			Port:   psdp.RangedPort{Value: int(port)},
			Protos: strings.Split(transport, "/"),
		},
	}
}

func addFormat(m *psdp.MediaDescription, pt uint8, name string) {
	ptText := strconv.Itoa(int(pt))
	m.MediaName.Formats = append(m.MediaName.Formats, ptText)
	m.Attributes = append(m.Attributes, psdp.NewAttribute("rtpmap", ptText+" "+name+"/8000"))
}

func addTelephoneEvent(m *psdp.MediaDescription, pt uint8) {
	addFormat(m, pt, "telephone-event")
	m.Attributes = append(m.Attributes, psdp.NewAttribute("fmtp", strconv.Itoa(int(pt))+" "+dtmfEvents))
}

func finishAudio(m *psdp.MediaDescription, dir Direction) {
	m.Attributes = append(m.Attributes,
		psdp.NewAttribute("ptime", strconv.Itoa(int(rtpcodec.FrameDuration.Milliseconds()))),
		psdp.NewPropertyAttribute(dir.String()),
	)
}

// rejectedMedia writes an offered m-line back with port 0, keeping its
// media type, transport and one format as RFC 3264 asks.
func rejectedMedia(offered string) *psdp.MediaDescription {
	fields := strings.Fields(offered)
	for len(fields) < 3 {
		fields = append(fields, "0")
	}
	return &psdp.MediaDescription{
		MediaName: psdp.MediaName{
			Media:   fields[0],
			Port:    psdp.RangedPort{Value: 0},
			Protos:  strings.Split(fields[1], "/"),
			Formats: []string{fields[2]},
		},
	}
}

// marshal cannot fail for descriptions built here: pion's Marshal only
// appends to a buffer.
func marshal(desc *psdp.SessionDescription) []byte {
	out, err := desc.Marshal()
	if err != nil {
		return nil
	}
	return out
}
