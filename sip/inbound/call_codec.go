package inbound

import "github.com/hotline-oss/hotline/media/rtpcodec"

// Codec is the audio codec negotiated with the caller, so that audio taken
// from the stream (a recorded voice message) can be decoded.
func (c *Call) Codec() rtpcodec.Codec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg.Codec
}
