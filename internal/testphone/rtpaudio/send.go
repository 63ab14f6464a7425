package rtpaudio

import (
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"time"

	"github.com/pion/rtp"
)

// sendLoop paces one packet per 20 ms against an absolute schedule, so a
// late wake-up sends the missed frames rather than drifting.
func (m *Session) sendLoop() {
	defer close(m.sendDone)
	w := newStreamWriter(m)
	next := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-m.stopSend:
			w.abortDigit()
			return
		case <-timer.C:
		}
		now := time.Now()
		if behind := now.Sub(next) / FrameInterval; behind > maxCatchUpFrames {
			w.skip(int(behind))
			next = next.Add(behind * FrameInterval)
		}
		for !next.After(now) {
			if m.muted.Load() {
				w.skip(1)
			} else {
				w.writeFrame()
			}
			next = next.Add(FrameInterval)
		}
		timer.Reset(next.Sub(now))
	}
}

// streamWriter owns the outgoing RTP state; only sendLoop touches it.
type streamWriter struct {
	m         *Session
	pkt       rtp.Packet
	phase     float64
	digit     []eventFrame
	digitDone chan error
	digitTS   uint32
	g722      g722Sender // used when G.722 was negotiated
}

func newStreamWriter(m *Session) *streamWriter {
	return &streamWriter{m: m, pkt: rtp.Packet{Header: rtp.Header{
		Version:        2,
		SSRC:           rand.Uint32(),
		SequenceNumber: uint16(rand.Uint32()),
		Timestamp:      rand.Uint32(),
	}}}
}

// writeFrame fills the current 20 ms slot with a digit packet when a digit
// is in progress, otherwise with audio.
func (w *streamWriter) writeFrame() {
	w.m.mu.Lock()
	remote, audioPT, sendAudio, eventPT := w.m.remote, w.m.audioPT, w.m.sendPT, w.m.eventPT
	w.m.mu.Unlock()

	if jump := w.m.restart.Swap(0); jump != 0 {
		w.pkt.SequenceNumber -= uint16(jump >> 32)
		w.pkt.Timestamp -= uint32(jump)
	}
	if w.digit == nil {
		select {
		case req := <-w.m.digits:
			w.digit, w.digitDone, w.digitTS = digitFrames(req.event), req.done, w.pkt.Timestamp
		default:
		}
	}
	w.pkt.Marker = false
	switch {
	case w.digit != nil:
		frame := w.digit[0]
		w.digit = w.digit[1:]
		w.pkt.PayloadType, w.pkt.Marker, w.pkt.Payload = eventPT, frame.marker, frame.payload
		ts := w.pkt.Timestamp
		w.pkt.Timestamp = w.digitTS
		w.send(remote)
		w.pkt.Timestamp = ts
		if len(w.digit) == 0 {
			w.digit = nil
			w.digitDone <- nil
		}
	case sendAudio:
		w.pkt.PayloadType, w.pkt.Payload = audioPT, w.audioPayload(audioPT)
		w.send(remote)
	}
	w.pkt.Timestamp += SamplesPerFrame
}

func (w *streamWriter) send(remote *net.UDPAddr) {
	w.pkt.SequenceNumber++
	raw, err := w.pkt.Marshal()
	if err == nil {
		raw, err = w.m.sec.protect(raw)
	}
	if err != nil {
		w.m.log.Warn("testphone: rtp marshal", "error", err)
		return
	}
	if _, err := w.m.conn.WriteToUDP(raw, remote); err != nil && !errors.Is(err, net.ErrClosed) {
		w.m.log.Warn("testphone: rtp write", "error", err)
	}
}

// skip advances the clock over frames that will never be sent.
func (w *streamWriter) skip(frames int) {
	w.pkt.Timestamp += uint32(frames * SamplesPerFrame)
}

func (w *streamWriter) abortDigit() {
	if w.digit != nil {
		w.digitDone <- ErrMediaStopped
		w.digit = nil
	}
}

func (w *streamWriter) audioPayload(payloadType uint8) []byte {
	freq := math.Float64frombits(w.m.toneHz.Load())
	if payloadType == PayloadTypeG722 {
		return w.g722.frame(freq)
	}
	payload := make([]byte, SamplesPerFrame)
	if freq <= 0 {
		silence := silenceByte(payloadType)
		for i := range payload {
			payload[i] = silence
		}
		return payload
	}
	encode := Encoder(payloadType)
	step := 2 * math.Pi * freq / ClockRate
	for i := range payload {
		payload[i] = encode(int16(ToneAmplitude * math.Sin(w.phase)))
		w.phase = math.Mod(w.phase+step, 2*math.Pi)
	}
	return payload
}
