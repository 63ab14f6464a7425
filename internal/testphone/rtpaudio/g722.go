package rtpaudio

import (
	"math"

	"github.com/hotline-oss/hotline/media/g722"
)

// G.722 for a phone whose testphone.Config.Codecs lists "G722" (an agent's wideband
// softphone). Unlike G.711 the codec is not re-implemented here: the
// phone uses the server's media/g722, which is checked bit for bit against
// ffmpeg on its own. What the phone judges on a G.722 call is the server's
// transcoding and resampling, and those it does not share.

const (
	// PayloadTypeG722 is G.722's static payload type.
	PayloadTypeG722 uint8 = 9
	// g722Rate is G.722's audio rate; its RTP clock is 8000 Hz like G.711's.
	g722Rate = 16000
)

// g722Receiver decodes what the server sends into 8 kHz samples for the
// phone's level and tone checks. Keeping every other sample is enough: the
// server's audio has nothing above 4 kHz to fold back.
type g722Receiver struct {
	dec  g722.Decoder
	wide []int16
	pcm  []int16
}

func (g *g722Receiver) narrowband(payload []byte) []int16 {
	g.wide = append(g.wide[:0], make([]int16, 2*len(payload))...)
	g.dec.Decode(g.wide, payload)
	g.pcm = g.pcm[:0]
	for i := 0; i < len(g.wide); i += 2 {
		g.pcm = append(g.pcm, g.wide[i])
	}
	return g.pcm
}

// g722Sender encodes the phone's tone or silence at 16 kHz.
type g722Sender struct {
	enc   g722.Encoder
	phase float64
}

func (g *g722Sender) frame(freqHz float64) []byte {
	pcm := make([]int16, 2*SamplesPerFrame)
	if freqHz > 0 {
		step := 2 * math.Pi * freqHz / g722Rate
		for i := range pcm {
			pcm[i] = int16(ToneAmplitude * math.Sin(g.phase))
			g.phase = math.Mod(g.phase+step, 2*math.Pi)
		}
	}
	out := make([]byte, SamplesPerFrame)
	return out[:g.enc.Encode(out, pcm)]
}
