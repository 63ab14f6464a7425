package testphone

import (
	"context"
	"errors"
	"math"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// uasCall is the UAS side of one call: an RTP socket that answers every
// audio packet with a tone frame (or plays a fixed prompt) and records
// what arrived.
type uasCall struct {
	dialog farDialog
	conn   *net.UDPConn
	codec  uint8
	prompt bool

	mu         sync.Mutex
	changed    chan struct{}
	packets    []rtp.Packet // headers and payloads of everything received
	source     *net.UDPAddr // where the first packet came from
	loud       int
	directions []string
	reInvites  []*sip.Request

	stopOnce sync.Once
	stopped  chan struct{}
	forget   func()
}

func (u *fakeUAS) newCall(dialog farDialog, offer sdpoffer.Remote, prompt bool) (*uasCall, error) {
	conn, err := listenRTP()
	if err != nil {
		return nil, err
	}
	return u.adoptCall(dialog, conn, offer.PayloadType, prompt), nil
}

func listenRTP() (*net.UDPConn, error) {
	return net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
}

// adoptCall makes conn the media of dialog.
func (u *fakeUAS) adoptCall(dialog farDialog, conn *net.UDPConn, codec uint8, prompt bool) *uasCall {
	c := &uasCall{
		dialog: dialog, conn: conn, codec: codec, prompt: prompt,
		changed: make(chan struct{}), stopped: make(chan struct{}),
		forget: func() { u.byDlg.Delete(dialog) },
	}
	u.byDlg.Store(dialog, c)
	u.mu.Lock()
	u.all = append(u.all, c)
	u.mu.Unlock()
	return c
}

func (c *uasCall) port() int { return c.conn.LocalAddr().(*net.UDPAddr).Port }

func (c *uasCall) start(wg *sync.WaitGroup) {
	wg.Add(1)
	go func() { defer wg.Done(); c.readLoop() }()
	if c.prompt {
		wg.Add(1)
		go func() { defer wg.Done(); c.promptLoop() }()
	}
}

func (c *uasCall) stop() {
	c.stopOnce.Do(func() {
		close(c.stopped)
		_ = c.conn.Close()
		c.forget()
	})
}

func (c *uasCall) readLoop() {
	buf := make([]byte, 1500)
	var phase float64
	for {
		n, source, err := c.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			continue
		}
		c.recordPacket(pkt, source)
		if c.prompt || pkt.PayloadType != c.codec {
			continue
		}
		reply := rtp.Packet{Header: rtp.Header{
			Version: 2, PayloadType: c.codec, SSRC: 0x5EED,
			SequenceNumber: pkt.SequenceNumber, Timestamp: pkt.Timestamp,
		}, Payload: toneFrame(c.codec, 600, &phase)}
		if raw, err := reply.Marshal(); err == nil {
			_, _ = c.conn.WriteToUDP(raw, source)
		}
	}
}

// promptLoop plays promptFrames of tone and then silence, paced at 20 ms,
// to wherever the phone's first packet came from (symmetric RTP).
func (c *uasCall) promptLoop() {
	dest := c.waitFirstSource()
	if dest == nil {
		return
	}
	ticker := time.NewTicker(rtpaudio.FrameInterval)
	defer ticker.Stop()
	var phase float64
	for i := 0; ; i++ {
		freq := 0.0
		if i < promptFrames {
			freq = 500
		}
		pkt := rtp.Packet{Header: rtp.Header{
			Version: 2, PayloadType: c.codec, SSRC: 0xBEEF,
			SequenceNumber: uint16(i), Timestamp: uint32(i * rtpaudio.SamplesPerFrame),
		}, Payload: toneFrame(c.codec, freq, &phase)}
		if raw, err := pkt.Marshal(); err == nil {
			_, _ = c.conn.WriteToUDP(raw, dest)
		}
		select {
		case <-c.stopped:
			return
		case <-ticker.C:
		}
	}
}

func (c *uasCall) waitFirstSource() *net.UDPAddr {
	for {
		c.mu.Lock()
		changed := c.changed
		got := len(c.packets) > 0
		c.mu.Unlock()
		if got {
			return c.source
		}
		select {
		case <-changed:
		case <-c.stopped:
			return nil
		}
	}
}

func toneFrame(payloadType uint8, freq float64, phase *float64) []byte {
	out := make([]byte, rtpaudio.SamplesPerFrame)
	encode := rtpaudio.Encoder(payloadType)
	for i := range out {
		out[i] = encode(int16(rtpaudio.ToneAmplitude * math.Sin(*phase)))
		*phase += 2 * math.Pi * freq / rtpaudio.ClockRate
	}
	return out
}

func (c *uasCall) recordPacket(pkt rtp.Packet, source *net.UDPAddr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.packets = append(c.packets, pkt)
	if c.source == nil {
		c.source = source
	}
	if table := rtpaudio.Decoder(pkt.PayloadType); table != nil && len(pkt.Payload) > 0 &&
		rtpaudio.MeanAbsolute(table, pkt.Payload) > NonSilentMeanAmplitude {
		c.loud++
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *uasCall) noteReInvite(req *sip.Request, dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.directions = append(c.directions, dir)
	c.reInvites = append(c.reInvites, req.Clone())
}

// hangup sends the UAS's BYE.
func (c *uasCall) hangup(ctx context.Context) error {
	defer c.stop()
	return c.dialog.Bye(ctx)
}

// waitUntil re-checks cond (under the call's lock) after every packet.
func (c *uasCall) waitUntil(ctx context.Context, cond func(c *uasCall) bool) error {
	for {
		c.mu.Lock()
		ok := cond(c)
		changed := c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.stopped:
			return errors.New("uas call stopped")
		}
	}
}

// dialogEnds reports whether the dialog is ending. sipgo hands RespondSDP
// the Ended state of a BYE that overtook the ACK a moment before it stores
// that state, so give the store a moment instead of reading it once.
func dialogEnds(dialog *sipgo.DialogServerSession) bool {
	deadline := time.Now().Add(time.Second)
	for dialog.LoadState() != sip.DialogStateEnded {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
