package wideband

import (
	"github.com/hotline-oss/hotline/media/g722"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/resample"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// maxPayload is the longest payload Narrowband converts: a stream's
// receive buffer, anything that fits an Ethernet MTU with room to spare.
const maxPayload = 2048

// Wideband legs. A G.722 leg's audio meets the rest of the engine as
// narrowband µ-law, 160 octets per 20 ms like any G.711 leg's, so the
// relay, the mixer, recording, energy metering and audio sinks need no
// second path:
//
//   - receive (read loop): G.722 octets → 16 kHz PCM → low-pass and
//     decimate to 8 kHz → µ-law;
//   - send (pacer): a µ-law frame from the relay, the mixer or silence →
//     8 kHz PCM → up-sample to 16 kHz → G.722, for the frames that go out.
//     Prompts skip the first two steps: each keeps a 16 kHz copy made once,
//     when a wideband leg first plays it (PrepareWideband), never per
//     packet.
//
// Both directions keep their codec and filter state per stream, so the
// audio is filtered and coded as one continuous signal; neither allocates
// per packet. The cost is a G.722 encode or decode plus one resampling per
// frame and direction, a few microseconds (see BenchmarkWidebandFrame).

// Receiver is the receive side; owned by the read loop.
type Receiver struct {
	dec    g722.Decoder // zero value: resets itself on first use
	down   resample.Downsampler
	pcm16  [2 * rtpcodec.FrameSamples]int16
	pcm8   [rtpcodec.FrameSamples]int16
	narrow [maxPayload]byte
}

// Narrowband converts a G.722 payload of any length into as many µ-law
// octets (one octet of G.722 is 2 samples at 16 kHz, 1 at 8 kHz). The
// result is valid until the next call.
func (w *Receiver) Narrowband(payload []byte) []byte {
	n := min(len(payload), len(w.narrow))
	for off := 0; off < n; off += rtpcodec.FrameSamples {
		chunk := payload[off:min(off+rtpcodec.FrameSamples, n)]
		w.dec.Decode(w.pcm16[:], chunk)
		w.down.Process(w.pcm8[:], w.pcm16[:2*len(chunk)])
		rtpcodec.EncodeUlaw(w.narrow[off:], w.pcm8[:len(chunk)])
	}
	return w.narrow[:n]
}

// Reset starts over for a new source: its encoder starts from scratch.
func (w *Receiver) Reset() {
	w.dec.Reset()
	w.down = resample.Downsampler{}
}

// Sender is the send side; the stream guards it with its send lock. The pacer stages each
// frame's audio (a prompt's 16 kHz frame, or a µ-law frame) and encodes it
// only if the frame is sent: a frame replaced by a DTMF event, or not sent
// while the peer holds the call, never reaches the peer's decoder, so it
// must not move our encoder either.
type Sender struct {
	enc   g722.Encoder // zero value: resets itself on first use
	up    resample.Upsampler
	wide  []int16 // staged prompt frame, or nil: pcm8 is staged
	pcm8  [rtpcodec.FrameSamples]int16
	pcm16 [2 * rtpcodec.FrameSamples]int16
	out   [rtpcodec.FrameSamples]byte
}

// StageNarrow stages one µ-law frame.
func (w *Sender) StageNarrow(frame []byte) {
	rtpcodec.DecodeUlaw(w.pcm8[:], frame)
	w.wide = nil
}

// StagePrompt stages frame i of p: its 16 kHz copy when one was made,
// else its µ-law frame.
func (w *Sender) StagePrompt(p *playout.Prompt, i int) {
	if pcm := p.WideFrame(i); pcm != nil {
		w.wide = pcm
		return
	}
	w.StageNarrow(p.Frame(rtpcodec.PCMU, i))
}

// EncodeStaged encodes the staged frame; the result is valid until the
// next call.
func (w *Sender) EncodeStaged() []byte {
	pcm := w.wide
	if pcm == nil {
		w.up.Process(w.pcm16[:], w.pcm8[:])
		pcm = w.pcm16[:]
	}
	n := w.enc.Encode(w.out[:], pcm)
	return w.out[:n]
}
