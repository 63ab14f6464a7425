package sip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emiago/sipgo"
	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/portpool"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/sip/admission"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/inbound"
	"github.com/hotline-oss/hotline/sip/registrar"
	"github.com/hotline-oss/hotline/sip/sipheader"
	"github.com/hotline-oss/hotline/sip/siplog"
)

// allowed is the Allow header value: the methods this endpoint handles.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER, REFER, NOTIFY, PRACK, UPDATE"

// Handler runs a call after it is answered and acknowledged, in the call's
// own goroutine. When it returns the endpoint hangs the call up (if it is
// still up) and frees its resources.
type Handler func(ctx context.Context, c *Call)

// Endpoint is the SIP side of the server.
type Endpoint struct {
	cfg     Config
	log     *slog.Logger
	ports   *portpool.Pool
	pacer   *media.Pacer
	bus     *call.Bus
	handler Handler

	ua     *sipgo.UserAgent
	server *sipgo.Server
	client *sipgo.Client
	dlgUA  *sipgo.DialogUA

	auth      *guard.Authenticator
	guard     *guard.Guard
	overload  *guard.Overload
	registrar *registrar.Registrar

	// admission of new INVITEs (package admission)
	numbers admission.Numbers
	gate    admission.Gate
	slots   *admission.Slots

	udp   *net.UDPConn
	tcp   *net.TCPListener
	serve sync.WaitGroup

	// tls listener and the dialog UA whose Contact names it (tls.go)
	tls      net.Listener
	tlsAddr  netip.AddrPort
	tlsDlgUA *sipgo.DialogUA

	calls  sync.Map // dialog ID → *Call
	early  sync.Map // dialog ID → *early, while an INVITE awaits its final response
	legs   sync.Map // dialog ID → *AgentLeg
	ctx    context.Context
	cancel context.CancelFunc

	// ackSent, in tests, runs once the ACK of an answered outbound leg
	// has left: the far end acting on the ACK at once.
	ackSent func()
}

// New builds an endpoint; Start opens its listeners.
func New(cfg Config, ports *portpool.Pool, pacer *media.Pacer, bus *call.Bus, handler Handler) (*Endpoint, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []rtpcodec.Codec{rtpcodec.PCMU, rtpcodec.PCMA}
	}
	if len(cfg.AgentCodecs) == 0 {
		cfg.AgentCodecs = cfg.Codecs
	}
	if cfg.IsHotline == nil {
		return nil, errors.New("sip: no hotline numbers configured")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Endpoint{cfg: cfg, log: cfg.Logger, ports: ports, pacer: pacer, bus: bus, handler: handler}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	authCfg := cfg.Auth
	authCfg.Password = cfg.AgentPassword
	e.initGuard(&authCfg)
	e.auth = guard.NewAuthenticator(authCfg)
	e.initAdmission()
	e.registrar = registrar.New(cfg.Now, cfg.OnRegistration)
	e.registrar.StreamMaxExpires = registrar.StreamLimit(cfg.TCPIdleTimeout)
	if cfg.MaxContacts > 0 {
		e.registrar.MaxContacts = cfg.MaxContacts
	}
	e.registrar.OnReplaced = e.onContactReplaced
	return e, nil
}

// Start binds the listeners (":0" ports are resolved) and serves requests.
func (e *Endpoint) Start() error {
	addr, err := e.listen(e.cfg.Listen)
	if err != nil {
		return err
	}
	e.cfg.Listen = addr
	if err := e.listenTLS(); err != nil {
		e.closeListeners()
		return err
	}
	if err := e.buildStack(); err != nil {
		e.closeListeners()
		return err
	}
	if e.udp != nil {
		e.serve.Add(1)
		go func() { defer e.serve.Done(); _ = e.server.ServeUDP(e.udp) }()
	}
	if e.tcp != nil {
		e.serve.Add(1)
		go func() { defer e.serve.Done(); _ = e.server.ServeTCP(e.tcp) }()
	}
	e.serveTLS()
	e.serve.Add(1)
	go e.expireLoop()
	e.log.Info("sip listening", "addr", addr.String(), "transports", strings.Join(e.cfg.Transports, ","))
	return nil
}

// listen opens the UDP and TCP listeners on one port. With port 0 the OS
// picks it for the first transport, and the port it picked may already be
// taken for the other (an outgoing TCP connection's local port, say): then
// all listeners close and another port is tried.
func (e *Endpoint) listen(want netip.AddrPort) (netip.AddrPort, error) {
	const attempts = 20
	for i := 1; ; i++ {
		addr, t, err := e.listenOnce(want)
		if err == nil {
			return addr, nil
		}
		e.closeListeners()
		e.udp, e.tcp = nil, nil
		if want.Port() != 0 || i == attempts || !errors.Is(err, syscall.EADDRINUSE) {
			return want, fmt.Errorf("sip: listen %s %s: %w", t, addr, err)
		}
	}
}

func (e *Endpoint) listenOnce(addr netip.AddrPort) (netip.AddrPort, string, error) {
	for _, t := range e.cfg.Transports {
		var err error
		switch t {
		case "udp":
			e.udp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
		case "tcp":
			e.tcp, err = net.ListenTCP("tcp", net.TCPAddrFromAddrPort(addr))
		default:
			err = fmt.Errorf("transport %q not supported", t)
		}
		if err != nil {
			return addr, t, err
		}
		if addr.Port() == 0 {
			// Serve UDP and TCP on the same port even when the OS picks it.
			addr = netip.AddrPortFrom(addr.Addr(), e.boundPort())
		}
	}
	return addr, "", nil
}

func (e *Endpoint) boundPort() uint16 {
	if e.udp != nil {
		return e.udp.LocalAddr().(*net.UDPAddr).AddrPort().Port()
	}
	if e.tcp != nil {
		return e.tcp.Addr().(*net.TCPAddr).AddrPort().Port()
	}
	return 0
}

func (e *Endpoint) buildStack() error {
	host := e.contactHost()
	sipLog := siplog.Quiet(e.log.With("component", "sipgo"))
	siplog.SetSipgoDefault(sipLog) // set once, race-free
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(e.cfg.UserAgent),
		sipgo.WithUserAgentHostname(host.String()),
		sipgo.WithUserAgentTransportLayerOptions(sipmsg.WithTransportLayerLogger(sipLog), e.streamTransports()),
		sipgo.WithUserAgentTransactionLayerOptions(sipmsg.WithTransactionLayerLogger(sipLog)),
	)
	if err != nil {
		return fmt.Errorf("sip: user agent: %w", err)
	}
	server, err := sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog))
	if err != nil {
		return fmt.Errorf("sip: server: %w", err)
	}
	client, err := sipgo.NewClient(ua,
		sipgo.WithClientLogger(sipLog),
		sipgo.WithClientHostname(host.String()),
		sipgo.WithClientPort(int(e.cfg.Listen.Port())))
	if err != nil {
		return fmt.Errorf("sip: client: %w", err)
	}
	e.ua, e.server, e.client = ua, server, client
	e.dlgUA = &sipgo.DialogUA{
		Client: client,
		ContactHDR: sipmsg.ContactHeader{Address: sipmsg.Uri{
			Host: host.String(), Port: int(e.cfg.Listen.Port()),
		}},
		// Send in-dialog requests (BYE) back to where the INVITE came from:
		// callers behind NAT put unreachable addresses in Contact.
		RewriteContact: true,
	}
	server.OnInvite(e.guarded(guard.ClassInvite, e.onInvite))
	server.OnAck(e.guarded(unguarded, e.onAck))
	server.OnBye(e.guarded(unguarded, e.onBye))
	server.OnCancel(e.guarded(unguarded, e.onStrayCancel))
	server.OnOptions(e.guarded(guard.ClassOptions, e.onOptions))
	server.OnInfo(e.guarded(unguarded, e.onInfo))
	server.OnRegister(e.guarded(guard.ClassRegister, e.onRegister))
	server.OnRefer(e.guarded(unguarded, e.onRefer))
	server.OnNotify(e.guarded(unguarded, e.onNotify))
	server.OnPrack(e.guarded(unguarded, e.onPrack))
	server.OnUpdate(e.guarded(unguarded, e.onUpdate))
	server.OnNoRoute(e.guarded(guard.ClassOptions, e.onUnsupported))
	e.startOverload()
	return nil
}

func (e *Endpoint) now() time.Time { return e.cfg.Now() }

func (e *Endpoint) contactHost() netip.Addr {
	if e.cfg.Advertise.IsValid() {
		return e.cfg.Advertise
	}
	return e.cfg.Listen.Addr()
}

// Addr is the bound SIP address (UDP and TCP share the port).
func (e *Endpoint) Addr() netip.AddrPort { return e.cfg.Listen }

// ContactAddr is where phones reach this endpoint over UDP and TCP: the
// advertised address (or the listening one) and the bound port.
func (e *Endpoint) ContactAddr() netip.AddrPort {
	return netip.AddrPortFrom(e.contactHost(), e.cfg.Listen.Port())
}

// ActiveCalls counts calls from INVITE accepted to cleanup.
func (e *Endpoint) ActiveCalls() int { return e.slots.Taken() }

// Drain makes every new INVITE get 503 while calls in progress go on.
func (e *Endpoint) Drain() { e.slots.Drain() }

// Draining reports whether Drain was called.
func (e *Endpoint) Draining() bool { return e.slots.Draining() }

// Wait blocks until every call has ended or ctx is done. It polls the
// call count: INVITEs keep arriving while it waits (to be refused), and a
// WaitGroup must not grow while someone waits on it.
func (e *Endpoint) Wait(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for e.slots.Taken() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// ReasonShutdown is the EndReason of the calls HangupAll ends: the server
// cut them at the end of the shutdown grace, not the caller.
const ReasonShutdown = inbound.ReasonShutdown

// HangupAll ends every call in progress (used when the drain grace is over).
func (e *Endpoint) HangupAll() {
	e.calls.Range(func(_, v any) bool {
		v.(*Call).HangupWith(ReasonShutdown)
		return true
	})
}

// Close hangs up what is left, waits for the calls to clean up and closes
// the listeners.
func (e *Endpoint) Close() error {
	e.Drain()
	e.HangupAll()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = e.Wait(ctx)
	e.cancel()
	e.closeListeners()
	if e.ua != nil {
		_ = e.client.Close()
		_ = e.ua.Close()
	}
	e.serve.Wait()
	return nil
}

func (e *Endpoint) closeListeners() {
	if e.udp != nil {
		_ = e.udp.Close()
	}
	if e.tcp != nil {
		_ = e.tcp.Close()
	}
	if e.tls != nil {
		_ = e.tls.Close()
	}
}

func (e *Endpoint) onOptions(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if a := e.cfg.Overload.Admit; a != nil && a() != "" {
		// A front probing with OPTIONS (Kamailio's dispatcher) takes the
		// node out of its rotation until it can take calls again.
		e.reply(req, tx, sipmsg.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	res := sipmsg.NewResponseFromRequest(req, sipmsg.StatusOK, "OK", nil)
	res.AppendHeader(sipmsg.NewHeader("Allow", allowed))
	res.AppendHeader(sipmsg.NewHeader("Supported", sipheader.Supported))
	res.AppendHeader(sipmsg.NewHeader("Accept", "application/sdp, application/dtmf-relay, application/dtmf"))
	e.respond(tx, res)
}

// knownMethods are RFC methods we recognise but do not serve: 405 with
// Allow. Anything else is an extension we do not implement: 501.
var knownMethods = map[sipmsg.RequestMethod]bool{
	sipmsg.SUBSCRIBE: true,
	sipmsg.MESSAGE:   true, sipmsg.PUBLISH: true,
}

func (e *Endpoint) onUnsupported(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	if knownMethods[req.Method] {
		res := sipmsg.NewResponseFromRequest(req, sipmsg.StatusMethodNotAllowed, "Method Not Allowed", nil)
		res.AppendHeader(sipmsg.NewHeader("Allow", allowed))
		e.respond(tx, res)
		return
	}
	e.reply(req, tx, sipmsg.StatusNotImplemented, "Not Implemented")
}

// onStrayCancel sees only CANCELs that match no INVITE transaction (sipgo
// answers the matching ones itself): RFC 3261 9.2 says 481.
func (e *Endpoint) onStrayCancel(req *sipmsg.Request, tx sipmsg.ServerTransaction) {
	e.reply(req, tx, sipmsg.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

func (e *Endpoint) reply(req *sipmsg.Request, tx sipmsg.ServerTransaction, code int, reason string, headers ...sipmsg.Header) {
	res := sipmsg.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range headers {
		res.AppendHeader(h)
	}
	e.respond(tx, res)
}

func (e *Endpoint) respond(tx sipmsg.ServerTransaction, res *sipmsg.Response) {
	if err := tx.Respond(res); err != nil {
		e.log.Debug("sip respond failed", "code", res.StatusCode, "err", err)
	}
}

func (e *Endpoint) publish(ev call.Event) {
	if e.bus != nil {
		e.bus.Publish(ev)
	}
}

// mask keeps the last four digits of a number for logs.
func (e *Endpoint) mask(number string) string {
	if !e.cfg.MaskNumbers {
		return number
	}
	return siplog.MaskNumber(number)
}
