package testphone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Media directions as written in a= attributes.
const (
	DirSendRecv = "sendrecv"
	DirSendOnly = "sendonly"
	DirRecvOnly = "recvonly"
	DirInactive = "inactive"
)

const (
	clockRate         = 8000
	samplesPerFrame   = clockRate / 50 // 20 ms
	telephoneEventEnc = "telephone-event"
)

var (
	// ErrNoAudio means the SDP has no usable m=audio line.
	ErrNoAudio = errors.New("testphone: sdp has no usable audio stream")
	// ErrNoCommonCodec means the answer picked nothing that was offered.
	ErrNoCommonCodec = errors.New("testphone: no common codec in answer")
)

// codecSpec describes one codec the phone can put in an offer.
type codecSpec struct {
	name        string
	payloadType uint8
	rtpmap      string // value after "a=rtpmap:<pt> "
}

// knownCodecs lists the names Config.Codecs accepts. PCMU, PCMA and G722
// can actually be sent; the others exist so tests can offer codecs the
// server must refuse.
var knownCodecs = map[string]codecSpec{
	"PCMU": {"PCMU", 0, "PCMU/8000"},
	"PCMA": {"PCMA", 8, "PCMA/8000"},
	"GSM":  {"GSM", 3, "GSM/8000"},
	"G722": {"G722", 9, "G722/8000"},
	"G729": {"G729", 18, "G729/8000"},
	"OPUS": {"opus", 111, "opus/48000/2"},
}

func lookupCodec(name string) (codecSpec, error) {
	spec, ok := knownCodecs[strings.ToUpper(name)]
	if !ok {
		return codecSpec{}, fmt.Errorf("testphone: unknown codec %q", name)
	}
	return spec, nil
}

// offerParams is everything needed to write our SDP.
type offerParams struct {
	sessionID, version uint64
	ip                 string
	port               int
	codecs             []codecSpec
	dtmfPT             uint8 // 0 = no telephone-event
	direction          string
	crypto             string // a=crypto value; non-empty makes the m-line RTP/SAVP
}

func buildSDP(p offerParams) ([]byte, error) {
	formats := make([]string, 0, len(p.codecs)+1)
	attrs := make([]sdp.Attribute, 0, len(p.codecs)+4)
	for _, c := range p.codecs {
		pt := strconv.Itoa(int(c.payloadType))
		formats = append(formats, pt)
		attrs = append(attrs, sdp.NewAttribute("rtpmap", pt+" "+c.rtpmap))
	}
	if p.dtmfPT != 0 {
		pt := strconv.Itoa(int(p.dtmfPT))
		formats = append(formats, pt)
		attrs = append(attrs,
			sdp.NewAttribute("rtpmap", pt+" "+telephoneEventEnc+"/8000"),
			sdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	protos := []string{"RTP", "AVP"}
	if p.crypto != "" {
		protos = []string{"RTP", "SAVP"}
		attrs = append(attrs, sdp.NewAttribute("crypto", p.crypto))
	}
	attrs = append(attrs, sdp.NewAttribute("ptime", "20"), sdp.NewPropertyAttribute(p.direction))

	conn := &sdp.ConnectionInformation{NetworkType: "IN", AddressType: "IP4", Address: &sdp.Address{Address: p.ip}}
	desc := sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "-", SessionID: p.sessionID, SessionVersion: p.version,
			NetworkType: "IN", AddressType: "IP4", UnicastAddress: p.ip,
		},
		SessionName:           "testphone",
		ConnectionInformation: conn,
		TimeDescriptions:      []sdp.TimeDescription{{}},
		MediaDescriptions: []*sdp.MediaDescription{{
			MediaName: sdp.MediaName{
				Media: "audio", Port: sdp.RangedPort{Value: p.port},
				Protos: protos, Formats: formats,
			},
			Attributes: attrs,
		}},
	}
	out, err := desc.Marshal()
	if err != nil {
		return nil, fmt.Errorf("testphone: sdp marshal: %w", err)
	}
	return out, nil
}

// remoteMedia is what the phone needs from the peer's SDP.
type remoteMedia struct {
	ip          string
	port        int
	payloadType uint8  // first audio format the peer listed that we offered
	codec       string // its name
	dtmfPT      uint8  // peer's telephone-event payload type, 0 if none
	direction   string
	crypto      string // first a=crypto value of an RTP/SAVP line; "" for RTP/AVP
}

// parseAnswer reads the peer's SDP and picks the codec from what we offered.
func parseAnswer(body []byte, offered []codecSpec) (remoteMedia, error) {
	var desc sdp.SessionDescription
	if err := desc.Unmarshal(body); err != nil {
		return remoteMedia{}, fmt.Errorf("testphone: sdp unmarshal: %w", err)
	}
	media := firstAudio(&desc)
	if media == nil {
		return remoteMedia{}, ErrNoAudio
	}
	out := remoteMedia{port: media.MediaName.Port.Value, direction: directionOf(&desc, media)}
	if strings.Contains(strings.Join(media.MediaName.Protos, "/"), "SAVP") {
		out.crypto, _ = media.Attribute("crypto")
	}
	out.ip = connectionAddress(&desc, media)
	if out.ip == "" {
		return remoteMedia{}, fmt.Errorf("%w: no connection address", ErrNoAudio)
	}
	names := rtpmapNames(media)
	for _, format := range media.MediaName.Formats {
		pt, err := strconv.ParseUint(format, 10, 7)
		if err != nil {
			continue
		}
		if strings.EqualFold(names[uint8(pt)], telephoneEventEnc) {
			out.dtmfPT = uint8(pt)
			continue
		}
		if out.codec != "" {
			continue
		}
		for _, c := range offered {
			if c.payloadType == uint8(pt) {
				out.payloadType, out.codec = c.payloadType, c.name
			}
		}
	}
	if out.codec == "" {
		return remoteMedia{}, ErrNoCommonCodec
	}
	return out, nil
}

func firstAudio(desc *sdp.SessionDescription) *sdp.MediaDescription {
	for _, m := range desc.MediaDescriptions {
		if m.MediaName.Media == "audio" && m.MediaName.Port.Value != 0 {
			return m
		}
	}
	return nil
}

func connectionAddress(desc *sdp.SessionDescription, media *sdp.MediaDescription) string {
	for _, c := range []*sdp.ConnectionInformation{media.ConnectionInformation, desc.ConnectionInformation} {
		if c != nil && c.Address != nil {
			return c.Address.Address
		}
	}
	return ""
}

// directionOf applies the media-level attribute over the session-level one;
// RFC 4566 makes sendrecv the default.
func directionOf(desc *sdp.SessionDescription, media *sdp.MediaDescription) string {
	for _, attrs := range [][]sdp.Attribute{media.Attributes, desc.Attributes} {
		for _, a := range attrs {
			switch a.Key {
			case DirSendRecv, DirSendOnly, DirRecvOnly, DirInactive:
				return a.Key
			}
		}
	}
	return DirSendRecv
}

// rtpmapNames maps payload type to encoding name from a=rtpmap lines.
func rtpmapNames(media *sdp.MediaDescription) map[uint8]string {
	names := make(map[uint8]string)
	for _, a := range media.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		ptText, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		pt, err := strconv.ParseUint(ptText, 10, 7)
		if err != nil {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(rest), "/")
		names[uint8(pt)] = name
	}
	return names
}

// answerDirection is what a sendrecv-capable endpoint answers to an offer.
func answerDirection(offer string) string {
	switch offer {
	case DirSendOnly:
		return DirRecvOnly
	case DirRecvOnly:
		return DirSendOnly
	case DirInactive:
		return DirInactive
	}
	return DirSendRecv
}
