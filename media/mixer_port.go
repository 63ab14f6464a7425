package media

import (
	"github.com/hotline-oss/hotline/media/mix"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// mixPort is a stream's place in a monitor: which party it is. The stream
// holds a pointer to it while monitored (Stream.mix).
type mixPort struct {
	m     *mix.Mixer
	party int
}

func (p *mixPort) push(c rtpcodec.Codec, payload []byte) { p.m.Push(p.party, c, payload) }

func (p *mixPort) pop(frame *[rtpcodec.FrameSamples]byte, c rtpcodec.Codec) bool {
	return p.m.Pop(p.party, frame, c)
}

// skip is nil-safe: the send path calls it on every prompt frame.
func (p *mixPort) skip() {
	if p != nil {
		p.m.Skip(p.party)
	}
}
