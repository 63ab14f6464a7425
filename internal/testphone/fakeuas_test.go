package testphone

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

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
// hotline would for an agent, it also runs a digest registrar
// (fakeregistrar_test.go), calls the phone and takes its REFERs
// (fakeagent_test.go). A call's media at the UAS is in fakeuasmedia_test.go.
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
