package inbound

import (
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/sip/leg"
	"github.com/hotline-oss/hotline/sip/prack"
)

// PlayEarly sends our SDP answer in a 183 Session Progress (send, reliably
// or not as the INVITE asked) and plays the announcement before the call
// is answered, so the caller hears it without being charged. The 200 that
// follows carries the same SDP. It returns prack.ErrInviteGone when the
// caller or the endpoint went away first.
func (c *Call) PlayEarly(pacer *media.Pacer, prompts []*playout.Prompt, reliable bool, send func(sdp []byte) error) error {
	sdp := c.AnswerSDP() // never a late offer: it gets no early media
	dir := c.Direction()
	// No answer yet: the caller may send nothing, and that must not count
	// as an RTP inactivity once the call is answered.
	c.stream.SetExpectMedia(false)
	c.stream.Start(pacer)
	if err := send(sdp); err != nil {
		return err
	}
	c.log.Info("early media announcement", "prompts", len(prompts), "reliable", reliable)
	c.stream.Play(prompts...)
	defer c.stream.SetExpectMedia(leg.ExpectsMedia(dir))
	select {
	case <-c.stream.PlaybackDone():
		return nil
	case <-c.dlg.Context().Done():
		return prack.ErrInviteGone
	case <-c.host.Context().Done():
		return prack.ErrInviteGone
	}
}
