package rtpaudio

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// waitCondition reports whether a wait is over, or else how long until it
// should be asked again (0: only when a packet arrives). closed says that
// no packet will ever arrive again.
type waitCondition func(s *statsRecorder, now time.Time, closed bool) (done bool, recheck time.Duration)

// waitFor re-evaluates cond after every packet, and after the delay cond
// asks for, until it holds, ctx ends, or the socket closes.
func (m *Session) waitFor(ctx context.Context, cond waitCondition) error {
	for {
		m.mu.Lock()
		done, recheck := cond(m.rec, time.Now(), false)
		changed := m.changed
		m.mu.Unlock()
		if done {
			return nil
		}
		if err := m.waitChange(ctx, changed, recheck); err != nil {
			if errors.Is(err, ErrMediaClosed) && m.evaluateClosed(cond) {
				return nil
			}
			return err
		}
	}
}

// waitChange blocks until a packet arrives, recheck elapses (0: no limit),
// or the wait can never succeed.
func (m *Session) waitChange(ctx context.Context, changed <-chan struct{}, recheck time.Duration) error {
	var timeout <-chan time.Time
	if recheck > 0 {
		timer := time.NewTimer(recheck)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("testphone: waiting for media: %w", ctx.Err())
	case <-m.recvDone:
		return ErrMediaClosed
	case <-changed:
	case <-timeout:
	}
	return nil
}

func (m *Session) evaluateClosed(cond waitCondition) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	done, _ := cond(m.rec, time.Now(), true)
	return done
}

// WaitAudio blocks until at least minFrames non-silent frames have arrived.
func (m *Session) WaitAudio(ctx context.Context, minFrames int) error {
	return m.waitFor(ctx, func(s *statsRecorder, _ time.Time, _ bool) (bool, time.Duration) {
		return s.stats.NonSilentFrames >= minFrames, 0
	})
}

// WaitQuietAfterAudio blocks until more than baseline non-silent frames
// have been heard and were followed by quiet: received silent frames
// covering quiet of audio time (so a scheduling stall cannot fake it), no
// packets at all for idleQuietFactor×quiet, or the end of the media.
func (m *Session) WaitQuietAfterAudio(ctx context.Context, baseline int, quiet time.Duration) error {
	return m.waitFor(ctx, quietAfterAudio(baseline, quiet))
}

// idleQuietFactor stretches `quiet` when judging a stream that stopped
// altogether: the absence of packets is weaker evidence than received
// silence, because a stalled sender or starved reader looks the same.
const idleQuietFactor = 3

// quietAfterAudio holds once more than `baseline` loud frames were heard
// and were followed by `quiet` of received silence, by a stream idle for
// idleQuietFactor×quiet, or by the end of the media.
func quietAfterAudio(baseline int, quiet time.Duration) waitCondition {
	return func(s *statsRecorder, now time.Time, closed bool) (bool, time.Duration) {
		if s.stats.NonSilentFrames <= baseline {
			return false, 0
		}
		if closed || s.silenceSinceLoud >= quiet {
			return true, 0
		}
		idleLeft := s.stats.LastPacket.Add(idleQuietFactor * quiet).Sub(now)
		return idleLeft <= 0, idleLeft
	}
}
