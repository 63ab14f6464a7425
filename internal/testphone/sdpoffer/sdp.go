package sdpoffer

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

const telephoneEventEnc = "telephone-event"

var (
	// ErrNoAudio means the SDP has no usable m=audio line.
	ErrNoAudio = errors.New("testphone: sdp has no usable audio stream")
	// ErrNoCommonCodec means the answer picked nothing that was offered.
	ErrNoCommonCodec = errors.New("testphone: no common codec in answer")
)

// Codec describes one codec the phone can put in an offer.
type Codec struct {
	Name        string
	PayloadType uint8
	RTPMap      string // value after "a=rtpmap:<pt> "
}

// knownCodecs lists the names the phone's Config.Codecs accepts. PCMU, PCMA and G722
// can actually be sent; the others exist so tests can offer codecs the
// server must refuse.
var knownCodecs = map[string]Codec{
	"PCMU": {"PCMU", 0, "PCMU/8000"},
	"PCMA": {"PCMA", 8, "PCMA/8000"},
	"GSM":  {"GSM", 3, "GSM/8000"},
	"G722": {"G722", 9, "G722/8000"},
	"G729": {"G729", 18, "G729/8000"},
	"OPUS": {"opus", 111, "opus/48000/2"},
}

// Lookup finds a codec by name, in any case.
func Lookup(name string) (Codec, error) {
	spec, ok := knownCodecs[strings.ToUpper(name)]
	if !ok {
		return Codec{}, fmt.Errorf("testphone: unknown codec %q", name)
	}
	return spec, nil
}

// Resolve turns the phone's configured codec names into the offer list:
// PCMU then PCMA when names is empty, none at all for "none".
func Resolve(names []string) ([]Codec, error) {
	if len(names) == 0 {
		names = []string{"PCMU", "PCMA"}
	}
	specs := make([]Codec, 0, len(names))
	for _, name := range names {
		if strings.EqualFold(name, "none") {
			continue
		}
		spec, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// Params is everything needed to write our SDP.
type Params struct {
	SessionID, Version uint64
	IP                 string
	Port               int
	Codecs             []Codec
	DTMFPT             uint8 // 0 = no telephone-event
	Direction          string
	Crypto             string // a=crypto value; non-empty makes the m-line RTP/SAVP
}

// Build writes an offer, or an answer when Codecs holds the one chosen.
func Build(p Params) ([]byte, error) {
	formats := make([]string, 0, len(p.Codecs)+1)
	attrs := make([]sdp.Attribute, 0, len(p.Codecs)+4)
	for _, c := range p.Codecs {
		pt := strconv.Itoa(int(c.PayloadType))
		formats = append(formats, pt)
		attrs = append(attrs, sdp.NewAttribute("rtpmap", pt+" "+c.RTPMap))
	}
	if p.DTMFPT != 0 {
		pt := strconv.Itoa(int(p.DTMFPT))
		formats = append(formats, pt)
		attrs = append(attrs,
			sdp.NewAttribute("rtpmap", pt+" "+telephoneEventEnc+"/8000"),
			sdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	protos := []string{"RTP", "AVP"}
	if p.Crypto != "" {
		protos = []string{"RTP", "SAVP"}
		attrs = append(attrs, sdp.NewAttribute("crypto", p.Crypto))
	}
	attrs = append(attrs, sdp.NewAttribute("ptime", "20"), sdp.NewPropertyAttribute(p.Direction))

	conn := &sdp.ConnectionInformation{NetworkType: "IN", AddressType: "IP4", Address: &sdp.Address{Address: p.IP}}
	desc := sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "-", SessionID: p.SessionID, SessionVersion: p.Version,
			NetworkType: "IN", AddressType: "IP4", UnicastAddress: p.IP,
		},
		SessionName:           "testphone",
		ConnectionInformation: conn,
		TimeDescriptions:      []sdp.TimeDescription{{}},
		MediaDescriptions: []*sdp.MediaDescription{{
			MediaName: sdp.MediaName{
				Media: "audio", Port: sdp.RangedPort{Value: p.Port},
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

// Answer writes our answer to the peer's offer: the codec picked from it
// and the mirror of its direction; p gives the rest (Codecs and Direction
// are replaced).
func Answer(remote Remote, p Params) ([]byte, error) {
	chosen, err := Lookup(remote.Codec)
	if err != nil {
		return nil, err
	}
	p.Codecs, p.Direction = []Codec{chosen}, AnswerDirection(remote.Direction)
	return Build(p)
}

// Remote is what the phone needs from the peer's SDP.
type Remote struct {
	IP          string
	Port        int
	PayloadType uint8  // first audio format the peer listed that we offered
	Codec       string // its name
	DTMFPT      uint8  // peer's telephone-event payload type, 0 if none
	Direction   string
	Crypto      string // first a=crypto value of an RTP/SAVP line; "" for RTP/AVP
}

// Parse reads the peer's SDP (offer or answer) and picks the codec from what we offered.
func Parse(body []byte, offered []Codec) (Remote, error) {
	var desc sdp.SessionDescription
	if err := desc.Unmarshal(body); err != nil {
		return Remote{}, fmt.Errorf("testphone: sdp unmarshal: %w", err)
	}
	media := firstAudio(&desc)
	if media == nil {
		return Remote{}, ErrNoAudio
	}
	out := Remote{Port: media.MediaName.Port.Value, Direction: directionOf(&desc, media)}
	if strings.Contains(strings.Join(media.MediaName.Protos, "/"), "SAVP") {
		out.Crypto, _ = media.Attribute("crypto")
	}
	out.IP = connectionAddress(&desc, media)
	if out.IP == "" {
		return Remote{}, fmt.Errorf("%w: no connection address", ErrNoAudio)
	}
	names := rtpmapNames(media)
	for _, format := range media.MediaName.Formats {
		pt, err := strconv.ParseUint(format, 10, 7)
		if err != nil {
			continue
		}
		if strings.EqualFold(names[uint8(pt)], telephoneEventEnc) {
			out.DTMFPT = uint8(pt)
			continue
		}
		if out.Codec != "" {
			continue
		}
		for _, c := range offered {
			if c.PayloadType == uint8(pt) {
				out.PayloadType, out.Codec = c.PayloadType, c.Name
			}
		}
	}
	if out.Codec == "" {
		return Remote{}, ErrNoCommonCodec
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

// AnswerDirection is what a sendrecv-capable endpoint answers to an offer.
func AnswerDirection(offer string) string {
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
