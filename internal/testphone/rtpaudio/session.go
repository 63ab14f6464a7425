package rtpaudio

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

const (
	// ClockRate is the RTP clock of every codec the phone sends (G.722's
	// too: RFC 3551 keeps its clock at 8000 Hz).
	ClockRate = 8000
	// SamplesPerFrame is one 20 ms frame at ClockRate.
	SamplesPerFrame = ClockRate / 50
	// FrameInterval is the phone's packet time.
	FrameInterval = 20 * time.Millisecond
	// ToneAmplitude is a quarter of full scale: clearly audible, never clipped.
	ToneAmplitude = 8192
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

// Session is one call's RTP socket: a paced sender and a recording
// receiver, each one goroutine.
type Session struct {
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

// Open binds the session's RTP socket on localIP; nothing is sent until
// Start.
func Open(localIP string, log *slog.Logger) (*Session, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(localIP)})
	if err != nil {
		return nil, fmt.Errorf("testphone: rtp listen: %w", err)
	}
	return &Session{
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

// LocalPort is the port the RTP socket is bound to.
func (m *Session) LocalPort() int {
	return m.conn.LocalAddr().(*net.UDPAddr).Port
}

// Start begins sending to and recording from the negotiated peer.
func (m *Session) Start(remote sdpoffer.Remote, ourEventPT uint8) error {
	if err := m.SetRemote(remote); err != nil {
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

// SetRemote adopts the peer's address, codec, event type and SRTP key
// (from an answer or a re-INVITE).
func (m *Session) SetRemote(remote sdpoffer.Remote) error {
	ip := net.ParseIP(remote.IP)
	if ip == nil {
		return fmt.Errorf("testphone: rtp peer address %q: %w", remote.IP, sdpoffer.ErrNoAudio)
	}
	if err := m.sec.setRemote(remote.Crypto); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remote = &net.UDPAddr{IP: ip, Port: remote.Port}
	m.audioPT = remote.PayloadType
	m.sendPT = Decoder(remote.PayloadType) != nil || remote.PayloadType == PayloadTypeG722
	m.eventPT = remote.DTMFPT
	return nil
}

// Close stops both loops and waits for them; safe to call more than once and
// on a session that never started.
func (m *Session) Close() {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		started := m.rec != nil
		m.mu.Unlock()
		m.StopSending()
		_ = m.conn.Close()
		if started {
			<-m.sendDone
			<-m.recvDone
		}
	})
}

// StopSending stops the sender for good while the receiver keeps recording.
func (m *Session) StopSending() {
	m.stopOnce.Do(func() { close(m.stopSend) })
}

// SetTone replaces the outgoing silence by a sine tone; 0 restores silence.
func (m *Session) SetTone(freqHz float64) {
	m.toneHz.Store(math.Float64bits(freqHz))
}

// SetMuted stops (true) or resumes (false) sending; timestamps run on.
func (m *Session) SetMuted(on bool) { m.muted.Store(on) }

// Restart makes the next packet sent jump its sequence number back by
// seqBack and its timestamp back by tsBack, keeping the SSRC.
func (m *Session) Restart(seqBack uint16, tsBack uint32) {
	m.restart.Store(uint64(seqBack)<<32 | uint64(tsBack))
}

// SendDigit queues one RFC 4733 event and waits until its last packet left.
func (m *Session) SendDigit(event uint8) error {
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

func (m *Session) recvLoop() {
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

// Received returns a copy of the receive statistics so far.
func (m *Session) Received() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rec == nil {
		return Stats{PayloadTypes: map[uint8]int{}}
	}
	return m.rec.snapshot()
}
