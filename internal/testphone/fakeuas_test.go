package testphone

import (
	"context"
	"errors"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hotline-oss/hotline/internal/testphone/rtpaudio"
	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// Numbers the fake UAS treats specially; any other number is answered and
// its RTP echoed back as a tone.
const (
	numberBusy   = "busy"   // 486
	numberRing   = "ring"   // 180, then waits for CANCEL
	numberPrompt = "prompt" // plays promptFrames of tone, then silence
	numberSecure = "*21"    // digest-challenged like an agent's feature code
	promptFrames = 25
)

// fakeUAS is a minimal SIP server for the self-test: it answers calls over
// UDP and TCP, echoes a tone to every RTP packet, and records what the
// phone sent (DTMF events, INFO bodies, re-INVITE directions). As the
// hotline would for an agent, it also runs a digest registrar, calls the
// phone and takes its REFERs (fakeagent_test.go).
type fakeUAS struct {
	t       *testing.T
	ua      *sipgo.UserAgent
	udpConn net.PacketConn
	tcpLn   net.Listener
	caches  map[string]*sipgo.DialogServerCache // by transport
	dialers map[string]*sipgo.DialogClientCache // calls the UAS places to the phone, by transport
	wg      sync.WaitGroup
	reg     fakeRegistrar
	refers  []referRecord

	calls chan *uasCall
	byDlg sync.Map // *sipgo.DialogServerSession -> *uasCall
	mu    sync.Mutex
	all   []*uasCall
	infos []string // "content-type|body"
	// redirectTo, when set, answers every new INVITE with 302 to this
	// address (redirect_test.go); under mu, as the serving goroutines read it.
	redirectTo string
	redirected []*sip.Request // the INVITEs it redirected, under mu
}

func startFakeUAS(t *testing.T) *fakeUAS {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("fake-uas"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatalf("uas ua: %v", err)
	}
	u := &fakeUAS{t: t, ua: ua, calls: make(chan *uasCall, 16), caches: map[string]*sipgo.DialogServerCache{}}
	if u.udpConn, err = net.ListenPacket("udp4", "127.0.0.1:0"); err != nil {
		t.Fatalf("uas udp: %v", err)
	}
	if u.tcpLn, err = net.Listen("tcp4", "127.0.0.1:0"); err != nil {
		t.Fatalf("uas tcp: %v", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatalf("uas client: %v", err)
	}
	u.caches["UDP"] = sipgo.NewDialogServerCache(client, contactAt(u.UDPAddr(), ""))
	u.caches["TCP"] = sipgo.NewDialogServerCache(client, contactAt(u.TCPAddr(), "tcp"))
	u.reg.init()

	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatalf("uas server: %v", err)
	}
	srv.OnInvite(u.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = u.cache(req).ReadAck(req, tx) })
	srv.OnBye(u.onBye)
	srv.OnInfo(u.onInfo)
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	srv.OnRegister(u.onRegister)
	srv.OnRefer(u.onRefer)
	u.wg.Add(2)
	go func() { defer u.wg.Done(); _ = srv.ServeUDP(u.udpConn) }()
	go func() { defer u.wg.Done(); _ = srv.ServeTCP(u.tcpLn) }()
	u.dialers = map[string]*sipgo.DialogClientCache{
		"UDP": u.newUDPDialer(),
		"TCP": sipgo.NewDialogClientCache(client, contactAt(u.TCPAddr(), "tcp")),
	}
	return u
}

func contactAt(addr, transport string) sip.ContactHeader {
	host, port := splitHostPort(addr)
	c := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "uas", Host: host, Port: port}}
	if transport != "" {
		c.Address.UriParams = sip.NewParams()
		c.Address.UriParams.Add("transport", transport)
	}
	return c
}

func splitHostPort(addr string) (string, int) {
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		panic(err)
	}
	return tcp.IP.String(), tcp.Port
}

func (u *fakeUAS) UDPAddr() string { return u.udpConn.LocalAddr().String() }
func (u *fakeUAS) TCPAddr() string { return u.tcpLn.Addr().String() }

func (u *fakeUAS) cache(req *sip.Request) *sipgo.DialogServerCache {
	return u.caches[req.Transport()]
}

// Close ends every call, stops serving, and waits for all goroutines.
func (u *fakeUAS) Close() {
	_ = u.ua.Close()
	_ = u.udpConn.Close()
	_ = u.tcpLn.Close()
	u.mu.Lock()
	all := u.all
	u.mu.Unlock()
	for _, c := range all {
		c.stop()
	}
	u.wg.Wait()
}

// nextCall returns the next call the UAS answered.
func (u *fakeUAS) nextCall(ctx context.Context) *uasCall {
	u.t.Helper()
	select {
	case c := <-u.calls:
		return c
	case <-ctx.Done():
		u.t.Fatalf("uas: no call answered: %v", ctx.Err())
		return nil
	}
}

func (u *fakeUAS) infoLog() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.infos...)
}

func (u *fakeUAS) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		u.onReInvite(req, tx)
		return
	}
	dialog, err := u.cache(req).ReadInvite(req, tx)
	if err != nil {
		u.t.Errorf("uas: read invite: %v", err)
		return
	}
	u.mu.Lock()
	to := u.redirectTo
	u.mu.Unlock()
	if to != "" {
		u.redirect(req, dialog, to)
		return
	}
	switch req.Recipient.User {
	case numberBusy:
		defer dialog.Close()
		_ = dialog.Respond(sip.StatusBusyHere, "Busy Here", nil)
		return
	case numberSecure:
		if !u.authorizeInvite(req, dialog) {
			defer dialog.Close()
			return
		}
	case numberRing:
		defer dialog.Close()
		_ = dialog.Respond(sip.StatusRinging, "Ringing", nil)
		select { // sipgo answers the CANCEL with 200 and the INVITE with 487
		case <-dialog.Context().Done():
		case <-time.After(10 * time.Second):
			_ = dialog.Respond(sip.StatusRequestTimeout, "Timeout", nil)
		}
		return
	}
	u.answer(req, dialog)
}

func (u *fakeUAS) answer(req *sip.Request, dialog *sipgo.DialogServerSession) {
	offer, err := sdpoffer.Parse(req.Body(), []sdpoffer.Codec{knownCodec("PCMU"), knownCodec("PCMA")})
	if err != nil {
		defer dialog.Close()
		_ = dialog.Respond(sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
		return
	}
	call, err := u.newCall(dialog, offer, req.Recipient.User == numberPrompt)
	if err != nil {
		u.t.Errorf("uas: rtp: %v", err)
		defer dialog.Close()
		_ = dialog.Respond(sip.StatusInternalServerError, "Server Error", nil)
		return
	}
	answer, err := sdpoffer.Build(sdpoffer.Params{
		SessionID: 7, Version: 1, IP: "127.0.0.1", Port: call.port(),
		Codecs: []sdpoffer.Codec{knownCodec(offer.Codec)}, DTMFPT: offer.DTMFPT,
		Direction: sdpoffer.AnswerDirection(offer.Direction),
	})
	if err == nil {
		err = dialog.RespondSDP(answer) // returns once the ACK arrived
	}
	if err != nil && dialogEnds(dialog) {
		// sipgo handles each message in its own goroutine, so a BYE sent
		// right after the ACK can overtake it; the call simply ended.
		call.stop()
		return
	}
	if err != nil {
		u.t.Errorf("uas: answer: %v", err)
		_ = dialog.Close()
		call.stop()
		return
	}
	call.start(&u.wg)
	u.calls <- call
}

// onReInvite answers a re-offer, recording its direction.
func (u *fakeUAS) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	dialog, err := u.matchDialog(req)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "No Dialog", nil))
		return
	}
	_ = dialog.ReadRequest(req, tx)
	offer, err := sdpoffer.Parse(req.Body(), []sdpoffer.Codec{knownCodec("PCMU"), knownCodec("PCMA")})
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusNotAcceptableHere, "Not Acceptable Here", nil))
		return
	}
	call := u.callFor(dialog)
	if call == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "No Media", nil))
		return
	}
	call.noteReInvite(req, offer.Direction)
	answer, err := sdpoffer.Build(sdpoffer.Params{
		SessionID: 7, Version: 2, IP: "127.0.0.1", Port: call.port(),
		Codecs: []sdpoffer.Codec{knownCodec(offer.Codec)}, DTMFPT: offer.DTMFPT,
		Direction: sdpoffer.AnswerDirection(offer.Direction),
	})
	if err != nil {
		u.t.Errorf("uas: re-answer: %v", err)
		return
	}
	_ = tx.Respond(sip.NewSDPResponseFromRequest(req, answer))
}

func (u *fakeUAS) onBye(req *sip.Request, tx sip.ServerTransaction) {
	dialog, err := u.matchDialog(req)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "No Dialog", nil))
		return
	}
	if err := dialog.ReadBye(req, tx); err != nil {
		u.t.Errorf("uas: bye: %v", err)
	}
	if c := u.callFor(dialog); c != nil {
		c.stop()
	}
}

func (u *fakeUAS) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	contentType := ""
	if h := req.ContentType(); h != nil {
		contentType = h.Value()
	}
	u.mu.Lock()
	u.infos = append(u.infos, contentType+"|"+string(req.Body()))
	u.mu.Unlock()
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
}

// callFor finds the media of a dialog for in-dialog requests.
func (u *fakeUAS) callFor(dialog farDialog) *uasCall {
	if c, ok := u.byDlg.Load(dialog); ok {
		return c.(*uasCall)
	}
	return nil
}

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
