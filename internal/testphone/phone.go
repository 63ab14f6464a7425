package testphone

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
	"github.com/hotline-oss/hotline/internal/testphone/sipregister"
)

const (
	defaultLocalIP = "127.0.0.1"
	defaultDTMFPT  = 101
	defaultUser    = "testphone"
	userAgentName  = "hotline-testphone"

	// closeHangupTimeout bounds the BYE sent for each call still up at Close.
	closeHangupTimeout = 2 * time.Second
	// listenerReadyTimeout bounds the wait for sipgo to adopt our UDP socket.
	listenerReadyTimeout = 5 * time.Second
)

// ErrClosed is returned by operations on a closed Phone.
var ErrClosed = errors.New("testphone: phone closed")

// errNoResponse stands in for sipgo's Do returning neither a response nor
// an error, which it does when a transaction is torn down mid-flight.
var errNoResponse = errors.New("transaction ended without a response")

// finalOf makes sipgo's Do results safe to dereference.
func finalOf(res *sip.Response, err error) (*sip.Response, error) {
	if err == nil && res == nil {
		return nil, errNoResponse
	}
	return res, err
}

// Config describes one phone. Only Server is required.
type Config struct {
	Server    string // host:port of the SIP server, e.g. "127.0.0.1:5060"
	Transport string // "udp" (default), "tcp" or "tls"
	User      string // caller number put in From and Contact, e.g. "13800000001"
	// Password answers digest challenges to our INVITEs (an agent's calls
	// and feature codes) as User, and is Register's default password.
	Password string
	LocalIP  string   // address to bind and advertise; default 127.0.0.1
	Codecs   []string // offer order; default PCMU, PCMA. "none" offers no audio codec
	// DTMFPT is the telephone-event payload type offered; 0 means the default
	// 101. Set NoTelephoneEvent to leave telephone-event out of the offer.
	DTMFPT           uint8
	NoTelephoneEvent bool
	Logger           *slog.Logger // optional; also handed to sipgo
	// TLS is the client config for Transport "tls" (trusted roots; see tls.go).
	TLS *tls.Config
	// SRTP offers RTP/SAVP with an SDES key on our calls and refuses
	// (488) incoming offers without one (see rtpaudio/srtp.go).
	SRTP bool
	// AssertedIdentity, when set, is sent as the P-Asserted-Identity of
	// our INVITEs (e.g. "<tel:+8613800000001>"), as a carrier's SBC does.
	AssertedIdentity string
}

// StatusError is a final non-2xx SIP response.
type StatusError struct {
	Code   int
	Reason string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("testphone: sip %d %s", e.Code, e.Reason)
}

// Phone is one SIP user agent with its own listening socket.
type Phone struct {
	cfg       Config
	codecs    []sdpoffer.Codec
	dtmfPT    uint8
	transport string // "UDP" or "TCP", as sipgo spells it
	log       *slog.Logger

	ua       *sipgo.UserAgent
	client   *sipgo.Client
	dialogs  *sipgo.DialogClientCache // calls we placed
	answered *sipgo.DialogServerCache // calls the server placed to us
	contact  sip.ContactHeader
	laddr    sip.Addr // UDP only: our listening socket, pinned on every request

	udpConn   net.PacketConn
	tcpLn     net.Listener
	serveDone chan struct{}

	nextSession atomic.Uint64

	incoming chan *Call
	ringing  chan Offer
	offers   chan Offer
	// closing is closed by Close, releasing incoming calls still ringing;
	// ringingWG counts the handlers holding such calls.
	closing   chan struct{}
	ringingWG sync.WaitGroup

	reg *sipregister.Client // set once listening: it needs our Contact

	mu         sync.Mutex
	calls      map[dialogLeg]*Call
	answerMode AnswerMode
	closed     bool
}

// New starts a phone listening on LocalIP:0.
func New(cfg Config) (*Phone, error) {
	p, err := newPhone(cfg)
	if err != nil {
		return nil, err
	}
	if err := p.listen(); err != nil {
		_ = p.ua.Close()
		return nil, err
	}
	p.reg = p.newRegistration()
	return p, nil
}

func newPhone(cfg Config) (*Phone, error) {
	if cfg.Server == "" {
		return nil, errors.New("testphone: config: Server is required")
	}
	if _, _, err := net.SplitHostPort(cfg.Server); err != nil {
		return nil, fmt.Errorf("testphone: config: server %q: %w", cfg.Server, err)
	}
	p := &Phone{
		cfg: cfg, calls: make(map[dialogLeg]*Call), serveDone: make(chan struct{}),
		incoming: make(chan *Call, eventBuffer),
		ringing:  make(chan Offer, eventBuffer),
		offers:   make(chan Offer, eventBuffer),
		closing:  make(chan struct{}),
	}
	if p.cfg.LocalIP == "" {
		p.cfg.LocalIP = defaultLocalIP
	}
	if p.cfg.User == "" {
		p.cfg.User = defaultUser
	}
	switch strings.ToLower(cfg.Transport) {
	case "", "udp":
		p.transport = "UDP"
	case "tcp":
		p.transport = "TCP"
	case "tls":
		p.transport = "TLS"
	default:
		return nil, fmt.Errorf("testphone: config: unsupported transport %q", cfg.Transport)
	}
	codecs, err := resolveCodecs(cfg.Codecs)
	if err != nil {
		return nil, err
	}
	p.codecs = codecs
	if !cfg.NoTelephoneEvent {
		p.dtmfPT = orDefault(cfg.DTMFPT, defaultDTMFPT)
	}
	p.log = cfg.Logger
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(userAgentName),
		sipgo.WithUserAgentHostname(p.cfg.LocalIP),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(cfg.Logger)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(cfg.Logger)),
		sipgo.WithUserAgenTLSConfig(cfg.TLS),
	)
	if err != nil {
		return nil, fmt.Errorf("testphone: sip user agent: %w", err)
	}
	p.ua = ua
	return p, nil
}

func orDefault(value, fallback uint8) uint8 {
	if value == 0 {
		return fallback
	}
	return value
}

func resolveCodecs(names []string) ([]sdpoffer.Codec, error) {
	specs, err := sdpoffer.Resolve(names)
	if err != nil {
		return nil, fmt.Errorf("testphone: config: %w", err)
	}
	return specs, nil
}

// listen opens our SIP socket, serves requests on it and builds the client
// that sends from it.
func (p *Phone) listen() error {
	server, err := p.newServer()
	if err != nil {
		return err
	}
	if p.transport == "TLS" {
		return p.listenTLS()
	}
	bind := net.JoinHostPort(p.cfg.LocalIP, "0")
	var port int
	if p.transport == "UDP" {
		p.udpConn, err = net.ListenPacket("udp4", bind)
		if err != nil {
			return fmt.Errorf("testphone: sip listen: %w", err)
		}
		port = p.udpConn.LocalAddr().(*net.UDPAddr).Port
		go func() { defer close(p.serveDone); _ = server.ServeUDP(p.udpConn) }()
	} else {
		p.tcpLn, err = net.Listen("tcp4", bind)
		if err != nil {
			return fmt.Errorf("testphone: sip listen: %w", err)
		}
		port = p.tcpLn.Addr().(*net.TCPAddr).Port
		go func() { defer close(p.serveDone); _ = server.ServeTCP(p.tcpLn) }()
	}

	p.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.LocalIP, Port: port}}
	clientOpts := []sipgo.ClientOption{sipgo.WithClientHostname(p.cfg.LocalIP), sipgo.WithClientLogger(p.log)}
	if p.transport == "TCP" {
		p.contact.Address.UriParams = sip.NewParams()
		p.contact.Address.UriParams.Add("transport", "tcp")
	} else {
		p.laddr = sip.Addr{IP: net.ParseIP(p.cfg.LocalIP), Port: port, Hostname: p.cfg.LocalIP}
		clientOpts = append(clientOpts, sipgo.WithClientConnectionAddr(p.laddr.String()))
		if err := p.awaitUDPListener(); err != nil {
			p.closeListeners()
			return err
		}
	}
	p.client, err = sipgo.NewClient(p.ua, clientOpts...)
	if err != nil {
		p.closeListeners()
		return fmt.Errorf("testphone: sip client: %w", err)
	}
	p.dialogs = sipgo.NewDialogClientCache(p.client, p.contact)
	p.answered = sipgo.NewDialogServerCache(p.client, p.contact)
	return nil
}

// awaitUDPListener waits until sipgo's transport has registered our socket.
// Requests pinned to it before that would make sipgo try to bind the same
// port a second time; sipgo offers no readiness signal, so poll briefly.
func (p *Phone) awaitUDPListener() error {
	deadline := time.Now().Add(listenerReadyTimeout)
	for time.Now().Before(deadline) {
		conn, err := p.ua.TransportLayer().GetConnection("udp", p.laddr.String())
		if err == nil {
			_, _ = conn.TryClose() // undo the reference GetConnection took
			return nil
		}
		select {
		case <-p.serveDone:
			return errors.New("testphone: sip listener stopped before it was ready")
		case <-time.After(time.Millisecond):
		}
	}
	return errors.New("testphone: sip listener not ready in time")
}

func (p *Phone) newServer() (*sipgo.Server, error) {
	server, err := sipgo.NewServer(p.ua, sipgo.WithServerLogger(p.log))
	if err != nil {
		return nil, fmt.Errorf("testphone: sip server: %w", err)
	}
	server.OnBye(p.handleBye)
	server.OnInvite(p.handleInvite)
	server.OnAck(p.handleAck)
	server.OnInfo(p.respondOK)
	server.OnOptions(p.respondOK)
	server.OnNotify(p.handleNotify)
	return server, nil
}

// Addr is the phone's SIP address (host:port), as put in Contact.
func (p *Phone) Addr() string {
	return net.JoinHostPort(p.contact.Address.Host, strconv.Itoa(p.contact.Address.Port))
}

// Close hangs up calls still in progress, turns away incoming calls still
// ringing (480), then releases every socket and goroutine the phone
// started. It does not unregister: call Unregister first for that.
func (p *Phone) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.closing)
	calls := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		calls = append(calls, c)
	}
	p.mu.Unlock()

	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), closeHangupTimeout)
		if err := c.Hangup(ctx); err != nil {
			p.log.Debug("testphone: hangup on close", "error", err)
		}
		cancel()
	}
	p.ringingWG.Wait()
	err := p.ua.Close()
	p.closeListeners()
	if err != nil {
		return fmt.Errorf("testphone: close: %w", err)
	}
	return nil
}

// closeListeners closes our sockets (sipgo never closes listeners handed to
// it) and waits for the serve goroutine.
func (p *Phone) closeListeners() {
	if p.udpConn != nil {
		_ = p.udpConn.Close()
	}
	if p.tcpLn != nil {
		_ = p.tcpLn.Close()
	}
	<-p.serveDone
}

func (p *Phone) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Phone) track(c *Call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.calls[c.leg] = c
	return true
}

func (p *Phone) forget(c *Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.calls, c.leg)
}

// callFor finds the call an in-dialog request from the server belongs to,
// among the calls we placed and those we answered.
func (p *Phone) callFor(req *sip.Request) *Call {
	var leg dialogLeg
	if placed, err := p.dialogs.MatchRequestDialog(req); err == nil {
		leg = placed
	} else if answered, err := p.answered.MatchDialogRequest(req); err == nil {
		leg = answered
	} else {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[leg]
}
