package testphone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

const (
	frameInterval = 20 * time.Millisecond
	// toneAmplitude is a quarter of full scale: clearly audible, never clipped.
	toneAmplitude = 8192
	// maxCatchUpFrames bounds the burst sent after a stall; beyond it the
	// sender skips ahead instead of flooding the peer.
	maxCatchUpFrames = 10
	rtpReadBuffer    = 1500
)

var (
	// ErrMediaStopped means the audio sender is no longer running.
	ErrMediaStopped = errors.New("testphone: media sending stopped")
	// ErrMediaClosed means the call's RTP socket is closed.
	ErrMediaClosed = errors.New("testphone: media closed")
)

type digitRequest struct {
	event uint8
	done  chan error
}

// mediaSession is one call's RTP socket: a paced sender and a recording
// receiver, each one goroutine.
type mediaSession struct {
	conn *net.UDPConn
	log  *slog.Logger

	mu      sync.Mutex
	remote  *net.UDPAddr
	audioPT uint8
	sendPT  bool // false when the codec is not G.711: only events are sent
	eventPT uint8
	rec     *statsRecorder
	changed chan struct{} // closed and replaced whenever a packet arrives

	toneHz atomic.Uint64 // math.Float64bits of the tone frequency
	muted  atomic.Bool   // send nothing (a phone on hold that plays no music)
	// restart, when set, makes the sender's next frame jump its sequence
	// number and timestamp back by these amounts (seq<<32 | ts), keeping
	// its SSRC, as a media relay that restarts mid-call does.
	restart atomic.Uint64
	sec     *srtpSession // SDES keys and SRTP contexts (srtp.go)

	digits    chan digitRequest
	stopSend  chan struct{}
	stopOnce  sync.Once
	sendDone  chan struct{}
	recvDone  chan struct{}
	closeOnce sync.Once
}

func openMedia(localIP string, log *slog.Logger) (*mediaSession, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(localIP)})
	if err != nil {
		return nil, fmt.Errorf("testphone: rtp listen: %w", err)
	}
	return &mediaSession{
		conn:     conn,
		log:      log,
		sec:      newSRTPSession(),
		changed:  make(chan struct{}),
		digits:   make(chan digitRequest, 16),
		stopSend: make(chan struct{}),
		sendDone: make(chan struct{}),
		recvDone: make(chan struct{}),
	}, nil
}

func (m *mediaSession) localPort() int {
	return m.conn.LocalAddr().(*net.UDPAddr).Port
}

// start begins sending to and recording from the negotiated peer.
func (m *mediaSession) start(remote remoteMedia, ourEventPT uint8) error {
	if err := m.setRemote(remote); err != nil {
		return err
	}
	// Record incoming events under the payload type we offered: that is the
	// one the peer must use towards us.
	m.mu.Lock()
	m.rec = newStatsRecorder(ourEventPT)
	m.mu.Unlock()
	go m.sendLoop()
	go m.recvLoop()
	return nil
}

func (m *mediaSession) setRemote(remote remoteMedia) error {
	ip := net.ParseIP(remote.ip)
	if ip == nil {
		return fmt.Errorf("testphone: rtp peer address %q: %w", remote.ip, ErrNoAudio)
	}
	if err := m.sec.setRemote(remote.crypto); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remote = &net.UDPAddr{IP: ip, Port: remote.port}
	m.audioPT = remote.payloadType
	m.sendPT = decoderFor(remote.payloadType) != nil || remote.payloadType == payloadTypeG722
	m.eventPT = remote.dtmfPT
	return nil
}

// close stops both loops and waits for them; safe to call more than once and
// on a session that never started.
func (m *mediaSession) close() {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		started := m.rec != nil
		m.mu.Unlock()
		m.stopSending()
		_ = m.conn.Close()
		if started {
			<-m.sendDone
			<-m.recvDone
		}
	})
}

func (m *mediaSession) stopSending() {
	m.stopOnce.Do(func() { close(m.stopSend) })
}

func (m *mediaSession) setTone(freqHz float64) {
	m.toneHz.Store(math.Float64bits(freqHz))
}

// sendDigit queues one RFC 4733 event and waits until its last packet left.
func (m *mediaSession) sendDigit(event uint8) error {
	m.mu.Lock()
	hasEvents := m.eventPT != 0
	m.mu.Unlock()
	if !hasEvents {
		return ErrNoTelephoneEvent
	}
	req := digitRequest{event: event, done: make(chan error, 1)}
	select {
	case m.digits <- req:
	case <-m.sendDone:
		return ErrMediaStopped
	}
	select {
	case err := <-req.done:
		return err
	case <-m.sendDone:
		return ErrMediaStopped
	}
}

// sendLoop paces one packet per 20 ms against an absolute schedule, so a
// late wake-up sends the missed frames rather than drifting.
func (m *mediaSession) sendLoop() {
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
		if behind := now.Sub(next) / frameInterval; behind > maxCatchUpFrames {
			w.skip(int(behind))
			next = next.Add(behind * frameInterval)
		}
		for !next.After(now) {
			if m.muted.Load() {
				w.skip(1)
			} else {
				w.writeFrame()
			}
			next = next.Add(frameInterval)
		}
		timer.Reset(next.Sub(now))
	}
}

func (m *mediaSession) recvLoop() {
	defer close(m.recvDone)
	buf := make([]byte, rtpReadBuffer)
	for {
		n, source, err := m.conn.ReadFromUDP(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				m.log.Warn("testphone: rtp read", "error", err)
			}
			return
		}
		data, ok := m.sec.unprotect(buf[:n])
		if !ok {
			continue // failed SRTP authentication: counted, not recorded
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(data); err != nil {
			continue // not RTP (stray datagram); nothing to record
		}
		at := time.Now()
		m.mu.Lock()
		m.rec.record(&pkt, at, source.String())
		close(m.changed)
		m.changed = make(chan struct{})
		m.mu.Unlock()
	}
}

func (m *mediaSession) snapshot() MediaStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rec == nil {
		return MediaStats{PayloadTypes: map[uint8]int{}}
	}
	return m.rec.snapshot()
}

// waitCondition reports whether a wait is over, or else how long until it
// should be asked again (0: only when a packet arrives). closed says that
// no packet will ever arrive again.
type waitCondition func(s *statsRecorder, now time.Time, closed bool) (done bool, recheck time.Duration)

// waitFor re-evaluates cond after every packet, and after the delay cond
// asks for, until it holds, ctx ends, or the socket closes.
func (m *mediaSession) waitFor(ctx context.Context, cond waitCondition) error {
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
func (m *mediaSession) waitChange(ctx context.Context, changed <-chan struct{}, recheck time.Duration) error {
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

func (m *mediaSession) evaluateClosed(cond waitCondition) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	done, _ := cond(m.rec, time.Now(), true)
	return done
}

// streamWriter owns the outgoing RTP state; only sendLoop touches it.
type streamWriter struct {
	m         *mediaSession
	pkt       rtp.Packet
	phase     float64
	digit     []eventFrame
	digitDone chan error
	digitTS   uint32
	g722      g722Sender // used when G.722 was negotiated
}

func newStreamWriter(m *mediaSession) *streamWriter {
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
	w.pkt.Timestamp += samplesPerFrame
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
	w.pkt.Timestamp += uint32(frames * samplesPerFrame)
}

func (w *streamWriter) abortDigit() {
	if w.digit != nil {
		w.digitDone <- ErrMediaStopped
		w.digit = nil
	}
}

func (w *streamWriter) audioPayload(payloadType uint8) []byte {
	freq := math.Float64frombits(w.m.toneHz.Load())
	if payloadType == payloadTypeG722 {
		return w.g722.frame(freq)
	}
	payload := make([]byte, samplesPerFrame)
	if freq <= 0 {
		silence := silenceByte(payloadType)
		for i := range payload {
			payload[i] = silence
		}
		return payload
	}
	encode := encoderFor(payloadType)
	step := 2 * math.Pi * freq / clockRate
	for i := range payload {
		payload[i] = encode(int16(toneAmplitude * math.Sin(w.phase)))
		w.phase = math.Mod(w.phase+step, 2*math.Pi)
	}
	return payload
}
