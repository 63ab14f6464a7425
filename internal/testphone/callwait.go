package testphone

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
)

// SendDTMF sends one digit as RFC 4733 events in the RTP stream: 5 updates
// 20 ms apart (100 ms of tone) and 3 end packets, all with the timestamp of
// the slot where the digit began; audio pauses meanwhile. It returns once
// the last end packet is sent.
func (c *Call) SendDTMF(digit rune) error {
	event, err := rtpaudio.DigitEvent(digit)
	if err != nil {
		return err
	}
	return c.media.SendDigit(event)
}

// SendDTMFString sends each digit with SendDTMF, pausing gap between them.
func (c *Call) SendDTMFString(s string, gap time.Duration) error {
	for i, digit := range s {
		if i > 0 && gap > 0 {
			select {
			case <-time.After(gap):
			case <-c.done:
				return ErrMediaClosed
			}
		}
		if err := c.SendDTMF(digit); err != nil {
			return fmt.Errorf("testphone: digit %d of %q: %w", i, s, err)
		}
	}
	return nil
}

// WaitAudio blocks until at least minFrames non-silent frames have arrived.
func (c *Call) WaitAudio(ctx context.Context, minFrames int) error {
	return c.media.WaitAudio(ctx, minFrames)
}

// WaitSilenceAfterAudio blocks until some audio has been heard on the call
// (at any time) and has been followed by `quiet` of silence. It returns at
// once if a prompt already ended long enough ago.
//
// Silence means received silent frames covering `quiet` of audio time, so
// a scheduling stall cannot fake it; if the server sends no RTP at all
// after the audio, three times `quiet` without packets also counts.
func (c *Call) WaitSilenceAfterAudio(ctx context.Context, quiet time.Duration) error {
	return c.media.WaitQuietAfterAudio(ctx, 0, quiet)
}

// WaitPlaybackEnd blocks until a prompt that is playing now or starts
// later has finished: at least one non-silent frame must arrive after the
// call, followed by `quiet` of silence as in WaitSilenceAfterAudio. Use it
// to step through successive prompts. The server hanging up also ends a
// prompt that was heard.
func (c *Call) WaitPlaybackEnd(ctx context.Context, quiet time.Duration) error {
	baseline := c.Received().NonSilentFrames
	return c.media.WaitQuietAfterAudio(ctx, baseline, quiet)
}

// ToneAmplitude estimates the amplitude (0 to 32767) of a hz tone in the
// last window of received audio; 0 before that much audio arrived. A tone
// sent with SendTone measures near 8192; one that is absent, near 0.
func (c *Call) ToneAmplitude(hz float64, window time.Duration) float64 {
	return c.media.ToneAmplitude(hz, window)
}

// WaitTone blocks until the last window of audio received after the call
// to WaitTone carries a hz tone of at least minAmplitude.
func (c *Call) WaitTone(ctx context.Context, hz float64, window time.Duration, minAmplitude float64) error {
	return c.media.WaitTone(ctx, hz, window, minAmplitude)
}
