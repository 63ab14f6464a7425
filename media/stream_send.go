package media

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/media/dtmf"
	"github.com/hotline-oss/hotline/media/pacer"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/media/wideband"
)

var (
	ulawSilenceFrame = silenceFrame(rtpcodec.UlawSilence)
	alawSilenceFrame = silenceFrame(rtpcodec.AlawSilence)
)

func silenceFrame(code byte) []byte {
	return bytes.Repeat([]byte{code}, rtpcodec.FrameSamples)
}

// txState is everything the send path mutates; guarded by Stream.mu.
type txState struct {
	codec      rtpcodec.Codec
	pt, dtmfPT uint8
	remote     netip.AddrPort // destination: latched source or configured
	configured netip.AddrPort // what the SDP said
	sending    bool
	sentAny    bool // the first packet carries the marker bit

	ssrc      uint32
	seq       uint16
	timestamp uint32        // RTP time of the next frame
	nextDue   time.Duration // pacer time of the next frame

	playback   playout.Playlist
	dtmf       dtmf.Sender
	wide       *wideband.Sender            // G.722 encoding; made when the codec first becomes G.722
	relayFrame [rtpcodec.FrameSamples]byte // a frame taken from the relay
	buf        [rtpHeaderSize + rtpcodec.FrameSamples]byte
}

// setSchedule sets when the first frame is due; called by the pacer.
func (s *Stream) setSchedule(due time.Duration) {
	s.mu.Lock()
	s.tx.nextDue = due
	s.mu.Unlock()
}

// Play replaces whatever is playing with prompts, played back to back.
// A pending PlaybackDone signal from an earlier sequence is discarded, so
// the next signal belongs to this sequence.
func (s *Stream) Play(prompts ...*playout.Prompt) {
	s.prepareWideband(prompts)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startPlayback(prompts, false)
}

// PlayLoop replaces whatever is playing with prompts, played back to back
// over and over (music on hold, ringback) until StopPlayback, Play or
// another PlayLoop. It never signals PlaybackDone. Prompts that hold no
// audio at all play as silence.
func (s *Stream) PlayLoop(prompts ...*playout.Prompt) {
	s.prepareWideband(prompts)
	s.mu.Lock()
	defer s.mu.Unlock()
	frames := 0
	for _, p := range prompts {
		frames += p.Frames()
	}
	if frames == 0 {
		// Looping nothing would spin forever looking for a frame.
		s.tx.playback.Reset()
		return
	}
	s.startPlayback(prompts, true)
}

// prepareWideband makes the 16 kHz copies a G.722 stream plays, before
// the sequence starts and outside the lock the pacer takes.
func (s *Stream) prepareWideband(prompts []*playout.Prompt) {
	if rtpcodec.Codec(s.codecs.Load()) != rtpcodec.G722 {
		return
	}
	for _, p := range prompts {
		p.PrepareWideband()
	}
}

// startPlayback installs a sequence; the caller holds mu.
func (s *Stream) startPlayback(prompts []*playout.Prompt, loop bool) {
	s.tx.playback.Start(prompts, loop)
	select {
	case <-s.playbackDone:
	default:
	}
}

// StopPlayback stops playing without a PlaybackDone signal; silence
// follows.
func (s *Stream) StopPlayback() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tx.playback.Reset()
}

// Playing reports whether a Play or PlayLoop sequence is still running.
func (s *Stream) Playing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx.playback.Active()
}

// SendDigit queues an RFC 4733 key press lasting about d (rounded to whole
// frames, at least one). Audio is replaced by event packets while the key
// is down.
func (s *Stream) SendDigit(digit rune, d time.Duration) error {
	event, ok := dtmf.EventForDigit(digit)
	if !ok {
		return fmt.Errorf("%w: key %q", dtmf.ErrInvalid, digit)
	}
	frames := min(max(int(d/rtpcodec.FrameDuration), 1), dtmf.MaxFrames)
	select {
	case <-s.done:
		return ErrStreamClosed
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx.dtmfPT == 0 {
		return ErrNoDTMF
	}
	if !s.tx.dtmf.Queue(event, frames) {
		return ErrDTMFQueueFull
	}
	return nil
}

// sendDue sends every frame that is due at now, at most
// pacer.MaxCatchUpFrames of them; frames owed beyond that are skipped
// (their RTP time passes, so the receiver sees a gap rather than a
// burst). Playback is not advanced for skipped frames: the listener loses
// time, not words.
func (s *Stream) sendDue(now time.Duration, observe func(seconds float64)) {
	s.mu.Lock()
	tx := &s.tx
	for frames := 0; tx.nextDue <= now; frames++ {
		if frames == pacer.MaxCatchUpFrames {
			owed := (now-tx.nextDue)/rtpcodec.FrameDuration + 1
			tx.nextDue += owed * rtpcodec.FrameDuration
			tx.timestamp += uint32(owed) * rtpcodec.FrameSamples
			s.stats.framesSkipped.Add(uint64(owed))
			break
		}
		if s.sendFrame() && observe != nil {
			observe((now - tx.nextDue).Seconds())
		}
		tx.nextDue += rtpcodec.FrameDuration
		tx.timestamp += rtpcodec.FrameSamples
	}
	s.sendRTCPDue(now)
	s.mu.Unlock()
	s.checkInactivity(now)
}

// sendFrame produces one frame's packet and sends it; false when nothing
// went out (sending off, no destination yet, or a socket error). The
// caller holds mu.
func (s *Stream) sendFrame() bool {
	tx := &s.tx
	payload := s.nextAudio()
	header := rtp.Header{
		Version:     2,
		Marker:      !tx.sentAny,
		PayloadType: tx.pt,
		Timestamp:   tx.timestamp,
		SSRC:        tx.ssrc,
	}
	var event [dtmf.PayloadSize]byte
	isEvent := false
	if ev, start, first, ok := tx.dtmf.Next(tx.timestamp); ok && tx.dtmfPT != 0 {
		_, _ = ev.MarshalTo(event[:])
		payload, isEvent = event[:], true
		header.PayloadType, header.Timestamp = tx.dtmfPT, start
		header.Marker = header.Marker || first
	}
	if !tx.sending || !tx.remote.IsValid() {
		return false
	}
	if !isEvent && tx.codec == rtpcodec.G722 && tx.wide != nil {
		// Only frames that go out are encoded, so the peer's decoder and
		// our encoder see the same frames (wideband.go).
		payload = tx.wide.EncodeStaged()
	}
	header.SequenceNumber = tx.seq
	tx.seq++
	n, err := header.MarshalTo(tx.buf[:])
	if err != nil {
		s.stats.sendErrors.Add(1)
		return false
	}
	n += copy(tx.buf[n:], payload)
	pkt, err := s.protect(tx.buf[:n])
	if err != nil {
		s.stats.sendErrors.Add(1)
		return false
	}
	if _, err := s.conn.WriteToUDPAddrPort(pkt, tx.remote); err != nil {
		s.stats.sendErrors.Add(1)
		return false
	}
	tx.sentAny = true
	s.stats.packetsSent.Add(1)
	s.stats.bytesSent.Add(uint64(n))
	return true
}

// nextAudio returns the next prompt frame, else the next frame relayed
// from a bridged peer, else silence. A prompt overrides the relay (an
// announcement or a whisper to one leg); the relay keeps draining under
// it, so when the prompt ends the listener hears the peer live again. A
// G.722 stream stages whichever it is and returns nil: sendFrame encodes
// it if the frame goes out (wideband.go). The caller holds mu.
func (s *Stream) nextAudio() []byte {
	tx := &s.tx
	wide := tx.wide != nil && tx.codec == rtpcodec.G722
	if p, i, ok := s.nextPrompt(); ok {
		s.relay.Skip()
		s.mix.Load().skip()
		if wide {
			tx.wide.StagePrompt(p, i)
			return nil
		}
		return p.Frame(tx.codec, i)
	}
	frame := s.liveFrame(tx.codec.Narrowband())
	if wide {
		tx.wide.StageNarrow(frame)
		return nil
	}
	return frame
}

// liveFrame returns the next frame from a monitor's mixer, else from the
// relay, else silence, in the G.711 law given. The caller holds mu.
func (s *Stream) liveFrame(law rtpcodec.Codec) []byte {
	if mp := s.mix.Load(); mp != nil && mp.pop(&s.tx.relayFrame, law) {
		return s.tx.relayFrame[:]
	}
	if s.relay.Pop(&s.tx.relayFrame, law) {
		return s.tx.relayFrame[:]
	}
	if law == rtpcodec.PCMA {
		return alawSilenceFrame
	}
	return ulawSilenceFrame
}

// nextPrompt returns the prompt and frame index to send next, if a
// sequence is playing. It signals PlaybackDone on the first frame after a
// sequence ran out, i.e. once the last frame has had its 20 ms on the
// wire. The caller holds mu.
func (s *Stream) nextPrompt() (*playout.Prompt, int, bool) {
	p, i, ok, finished := s.tx.playback.Next()
	if finished {
		select {
		case s.playbackDone <- struct{}{}:
		default:
		}
	}
	return p, i, ok
}
