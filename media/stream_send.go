package media

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/rtp"
)

// DTMF sending parameters (RFC 4733 §2.5).
const (
	dtmfQueueSize  = 16
	dtmfEndPackets = 3  // the end packet is sent three times against loss
	dtmfGapFrames  = 2  // pause between two queued keys, in frames
	dtmfVolume     = 10 // -10 dBm0, a typical key-press level
	// Durations are 16-bit timestamp counts: about 8 s at 8 kHz.
	maxDTMFFrames = 0xFFFF / FrameSamples
)

var (
	ulawSilenceFrame = silenceFrame(UlawSilence)
	alawSilenceFrame = silenceFrame(AlawSilence)
)

func silenceFrame(code byte) []byte {
	frame := make([]byte, FrameSamples)
	fill(frame, code)
	return frame
}

// txState is everything the send path mutates; guarded by Stream.mu.
type txState struct {
	codec      Codec
	pt, dtmfPT uint8
	remote     netip.AddrPort // destination: latched source or configured
	configured netip.AddrPort // what the SDP said
	sending    bool
	sentAny    bool // the first packet carries the marker bit

	ssrc      uint32
	seq       uint16
	timestamp uint32        // RTP time of the next frame
	nextDue   time.Duration // pacer time of the next frame

	playback   playback
	dtmf       dtmfSender
	wide       *wideSend          // G.722 encoding; made when the codec first becomes G.722
	relayFrame [FrameSamples]byte // a frame taken from the relay
	buf        [rtpHeaderSize + FrameSamples]byte
}

// playback walks a sequence of prompts frame by frame.
type playback struct {
	list          []*Prompt
	prompt, frame int
	active        bool
	loop          bool // start over at the end instead of finishing
}

// dtmfSender turns queued key presses into RFC 4733 packets.
type dtmfSender struct {
	queue       [dtmfQueueSize]queuedDigit
	head, count int

	active       bool
	event        uint8
	frames, sent int // event length and frames sent so far, in frames
	ends         int // end packets sent
	start        uint32
	gap          int
}

type queuedDigit struct {
	event  uint8
	frames int
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
func (s *Stream) Play(prompts ...*Prompt) {
	s.prepareWideband(prompts)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startPlayback(prompts, false)
}

// PlayLoop replaces whatever is playing with prompts, played back to back
// over and over (music on hold, ringback) until StopPlayback, Play or
// another PlayLoop. It never signals PlaybackDone. Prompts that hold no
// audio at all play as silence.
func (s *Stream) PlayLoop(prompts ...*Prompt) {
	s.prepareWideband(prompts)
	s.mu.Lock()
	defer s.mu.Unlock()
	frames := 0
	for _, p := range prompts {
		frames += p.Frames()
	}
	if frames == 0 {
		// Looping nothing would spin forever looking for a frame.
		s.tx.playback.reset()
		return
	}
	s.startPlayback(prompts, true)
}

// prepareWideband makes the 16 kHz copies a G.722 stream plays, before
// the sequence starts and outside the lock the pacer takes.
func (s *Stream) prepareWideband(prompts []*Prompt) {
	if Codec(s.codecs.Load()) != G722 {
		return
	}
	for _, p := range prompts {
		p.PrepareWideband()
	}
}

// startPlayback installs a sequence; the caller holds mu.
func (s *Stream) startPlayback(prompts []*Prompt, loop bool) {
	pb := &s.tx.playback
	clear(pb.list)
	pb.list = append(pb.list[:0], prompts...)
	pb.prompt, pb.frame, pb.active, pb.loop = 0, 0, true, loop
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
	s.tx.playback.reset()
}

// Playing reports whether a Play or PlayLoop sequence is still running.
func (s *Stream) Playing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx.playback.active
}

// SendDigit queues an RFC 4733 key press lasting about d (rounded to whole
// frames, at least one). Audio is replaced by event packets while the key
// is down.
func (s *Stream) SendDigit(digit rune, d time.Duration) error {
	event, ok := EventForDigit(digit)
	if !ok {
		return fmt.Errorf("%w: key %q", ErrInvalidDTMF, digit)
	}
	frames := min(max(int(d/FrameDuration), 1), maxDTMFFrames)
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
	q := &s.tx.dtmf
	if q.count == len(q.queue) {
		return ErrDTMFQueueFull
	}
	q.queue[(q.head+q.count)%len(q.queue)] = queuedDigit{event: event, frames: frames}
	q.count++
	return nil
}

// sendDue sends every frame that is due at now, at most maxCatchUpFrames
// of them; frames owed beyond that are skipped (their RTP time passes, so
// the receiver sees a gap rather than a burst). Playback is not advanced
// for skipped frames: the listener loses time, not words.
func (s *Stream) sendDue(now time.Duration, observe func(seconds float64)) {
	s.mu.Lock()
	tx := &s.tx
	for frames := 0; tx.nextDue <= now; frames++ {
		if frames == maxCatchUpFrames {
			owed := (now-tx.nextDue)/FrameDuration + 1
			tx.nextDue += owed * FrameDuration
			tx.timestamp += uint32(owed) * FrameSamples
			s.stats.framesSkipped.Add(uint64(owed))
			break
		}
		if s.sendFrame() && observe != nil {
			observe((now - tx.nextDue).Seconds())
		}
		tx.nextDue += FrameDuration
		tx.timestamp += FrameSamples
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
	var event [dtmfPayloadSize]byte
	isEvent := false
	if ev, start, first, ok := tx.dtmf.next(tx.timestamp); ok && tx.dtmfPT != 0 {
		_, _ = ev.MarshalTo(event[:])
		payload, isEvent = event[:], true
		header.PayloadType, header.Timestamp = tx.dtmfPT, start
		header.Marker = header.Marker || first
	}
	if !tx.sending || !tx.remote.IsValid() {
		return false
	}
	if !isEvent && tx.codec == G722 && tx.wide != nil {
		// Only frames that go out are encoded, so the peer's decoder and
		// our encoder see the same frames (wideband.go).
		payload = tx.wide.encodeStaged()
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
	wide := tx.wide != nil && tx.codec == G722
	if p, i, ok := s.nextPrompt(); ok {
		s.relay.skip()
		s.mix.Load().skip()
		if wide {
			tx.wide.stagePrompt(p, i)
			return nil
		}
		return p.Frame(tx.codec, i)
	}
	frame := s.liveFrame(tx.codec.Narrowband())
	if wide {
		tx.wide.stageNarrow(frame)
		return nil
	}
	return frame
}

// liveFrame returns the next frame from a monitor's mixer, else from the
// relay, else silence, in the G.711 law given. The caller holds mu.
func (s *Stream) liveFrame(law Codec) []byte {
	if mp := s.mix.Load(); mp != nil && mp.pop(&s.tx.relayFrame, law) {
		return s.tx.relayFrame[:]
	}
	if s.relay.pop(&s.tx.relayFrame, law) {
		return s.tx.relayFrame[:]
	}
	if law == PCMA {
		return alawSilenceFrame
	}
	return ulawSilenceFrame
}

// nextPrompt returns the prompt and frame index to send next, if a
// sequence is playing. It signals PlaybackDone on the first frame after a
// sequence ran out, i.e. once the last frame has had its 20 ms on the
// wire. The caller holds mu.
func (s *Stream) nextPrompt() (*Prompt, int, bool) {
	pb := &s.tx.playback
	for pb.prompt < len(pb.list) {
		p := pb.list[pb.prompt]
		if pb.frame < p.Frames() {
			i := pb.frame
			pb.frame++
			return p, i, true
		}
		pb.prompt, pb.frame = pb.prompt+1, 0
		if pb.loop && pb.prompt == len(pb.list) {
			pb.prompt = 0 // PlayLoop made sure some prompt has frames
		}
	}
	if pb.active {
		pb.reset()
		select {
		case s.playbackDone <- struct{}{}:
		default:
		}
	}
	return nil, 0, false
}

func (pb *playback) reset() {
	clear(pb.list)
	pb.list = pb.list[:0]
	pb.prompt, pb.frame, pb.active, pb.loop = 0, 0, false, false
}

// next advances the key-press state by one frame. When a key is down it
// returns the event payload for this frame and the event's RTP timestamp
// (all packets of one event carry its start time); first marks the
// event's first packet.
func (d *dtmfSender) next(now uint32) (ev DTMFEvent, start uint32, first, ok bool) {
	if !d.active {
		if d.gap > 0 {
			d.gap--
			return DTMFEvent{}, 0, false, false
		}
		if d.count == 0 {
			return DTMFEvent{}, 0, false, false
		}
		q := d.queue[d.head]
		d.head, d.count = (d.head+1)%len(d.queue), d.count-1
		d.active, d.event, d.frames, d.start = true, q.event, q.frames, now
		d.sent, d.ends = 0, 0
	}
	ev = DTMFEvent{Event: d.event, Volume: dtmfVolume}
	if d.sent < d.frames {
		d.sent++
		ev.Duration = uint16(d.sent * FrameSamples)
		return ev, d.start, d.sent == 1, true
	}
	d.ends++
	ev.End, ev.Duration = true, uint16(d.frames*FrameSamples)
	if d.ends == dtmfEndPackets {
		d.active, d.gap = false, dtmfGapFrames
	}
	return ev, d.start, false, true
}
