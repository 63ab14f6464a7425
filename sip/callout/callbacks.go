package callout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/sip"
)

// Why a callback could not be registered or dialled.
var (
	ErrCallbackNumber   = errors.New("callback number refused")
	ErrUnknownCallback  = errors.New("callback ticket not issued by this registry")
	ErrGatewayBusy      = errors.New("callback gateway at max_concurrent")
	ErrCallbackNoTicket = errors.New("nil callback ticket")
	// ErrUntrustedCaller: the inbound call did not come from a trusted
	// network, so its caller number is only a claim.
	ErrUntrustedCaller = errors.New("callback refused: caller number not from a trusted network")
	// ErrDialRefused: the dial check (allow-list, caps) refused the number
	// just before dialling.
	ErrDialRefused = errors.New("callback dial refused")
)

// GatewayConfig is the outbound gateway callbacks are dialled through.
type GatewayConfig struct {
	URI           string // sip:{number}@host:port
	Transport     string // udp or tcp
	FromNumber    string // caller ID the customer sees
	MaxConcurrent int
}

// CallbackTicket is an opaque entry of the callback registry: the only
// thing DialCallback accepts, so the server can dial out only to numbers
// that called in (never to a free-form number).
type CallbackTicket struct {
	id     string
	number string
}

// Number is the number the ticket calls back (mask it before logging).
func (t *CallbackTicket) Number() string { return t.number }

// Callbacks is the callback registry and dialler. Tickets come from an
// inbound call: its own caller number, or another number that the known
// check vouches for (it called the hotline before).
type Callbacks struct {
	e     *sip.Endpoint
	cfg   GatewayConfig
	known func(number string) bool
	check func(ticketID, number string) error // before every dial; nil: none
	// routes, when set, replaces the gateway URI: the trunks to try, in
	// order, for a number (trunk_out.go).
	routes func(number string) []TrunkRoute
	host   string // gateway host[:port] the INVITE goes to
	sem    chan struct{}

	mu      sync.Mutex
	tickets map[string]*CallbackTicket
}

// CallbacksOption configures the registry.
type CallbacksOption func(*Callbacks) error

// WithDialCheck runs check before every dial-out, with the ticket's id (the
// inbound call's) and number: an error refuses the dial (ErrDialRefused
// wraps it). It is where the allow-list and the caps are checked once
// more, so nothing is dialled that does not pass them now.
func WithDialCheck(check func(ticketID, number string) error) CallbacksOption {
	return func(cb *Callbacks) error {
		if check == nil {
			return errors.New("callbacks: nil dial check")
		}
		cb.check = check
		return nil
	}
}

// WithRoutes dials through trunks instead of the gateway URI: routes
// returns, for a number, the trunks that are up in the order to try them
// (GatewayConfig's URI and Transport are then not used). A trunk that
// fails (no response, 5xx, refused authentication) passes the call to the
// next; busy or no answer is the customer's answer and ends the attempt.
func WithRoutes(routes func(number string) []TrunkRoute) CallbacksOption {
	return func(cb *Callbacks) error {
		if routes == nil {
			return errors.New("callbacks: nil routes")
		}
		cb.routes = routes
		return nil
	}
}

// NewCallbacks builds the registry for endpoint e. known reports whether a
// number other than the caller's own has called the hotline.
func NewCallbacks(e *sip.Endpoint, cfg GatewayConfig, known func(string) bool, opts ...CallbacksOption) (*Callbacks, error) {
	if e == nil || known == nil {
		return nil, errors.New("callbacks: nil endpoint or known-number check")
	}
	if cfg.MaxConcurrent < 1 {
		cfg.MaxConcurrent = 1
	}
	cb := &Callbacks{
		e: e, cfg: cfg, known: known,
		sem:     make(chan struct{}, cfg.MaxConcurrent),
		tickets: make(map[string]*CallbackTicket),
	}
	for _, o := range opts {
		if err := o(cb); err != nil {
			return nil, err
		}
	}
	if cb.routes != nil {
		return cb, nil
	}
	at := strings.LastIndex(cfg.URI, "@")
	if !strings.HasPrefix(cfg.URI, "sip:") || at < 0 || !strings.Contains(cfg.URI, "{number}") {
		return nil, fmt.Errorf("callbacks: gateway uri %q: want sip:{number}@host[:port]", cfg.URI)
	}
	host := cfg.URI[at+1:]
	if i := strings.IndexAny(host, ";?"); i >= 0 {
		host = host[:i]
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "5060")
	}
	cb.host = host
	return cb, nil
}

// ValidCallbackNumber accepts what a telephone keypad or a caller ID gives: digits,
// optionally with a leading +, 3 to 20 of them.
func ValidCallbackNumber(n string) bool {
	d := strings.TrimPrefix(n, "+")
	if len(d) < 3 || len(d) > 20 {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Register issues a ticket for a callback asked for on the inbound call c:
// to c's own number when number is empty or equal to it, else to number if
// it called the hotline before. A call from an untrusted source gets no
// ticket at all (ErrUntrustedCaller).
func (cb *Callbacks) Register(c *sip.Call, number string) (*CallbackTicket, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no inbound call", ErrCallbackNumber)
	}
	if !c.CallerTrusted {
		return nil, ErrUntrustedCaller
	}
	if number == "" {
		number = c.Caller
	}
	if !ValidCallbackNumber(number) {
		return nil, fmt.Errorf("%w: not a telephone number", ErrCallbackNumber)
	}
	if number != c.Caller && !cb.known(number) {
		return nil, fmt.Errorf("%w: the number never called the hotline", ErrCallbackNumber)
	}
	t := &CallbackTicket{id: c.ID, number: number}
	cb.mu.Lock()
	cb.tickets[t.id] = t
	cb.mu.Unlock()
	return t, nil
}

// Restore re-issues the ticket of a callback saved before a restart. The
// number must still pass the known-number check: a saved row alone never
// lets the server dial a number that did not call in.
func (cb *Callbacks) Restore(callID, number string) (*CallbackTicket, error) {
	if callID == "" || !ValidCallbackNumber(number) {
		return nil, fmt.Errorf("%w: not a telephone number", ErrCallbackNumber)
	}
	if !cb.known(number) {
		return nil, fmt.Errorf("%w: the number never called the hotline", ErrCallbackNumber)
	}
	t := &CallbackTicket{id: callID, number: number}
	cb.mu.Lock()
	cb.tickets[t.id] = t
	cb.mu.Unlock()
	return t, nil
}

// Forget removes a ticket once its callback connected or gave up.
func (cb *Callbacks) Forget(t *CallbackTicket) {
	if t == nil {
		return
	}
	cb.mu.Lock()
	if cb.tickets[t.id] == t {
		delete(cb.tickets, t.id)
	}
	cb.mu.Unlock()
}

// Pending counts the tickets not yet forgotten.
func (cb *Callbacks) Pending() int {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return len(cb.tickets)
}

// DialCallback calls the ticket's number through the gateway and returns
// the customer's leg once answered. Errors are those of DialAgent
// (ErrAgentBusy for 486, ErrNoAnswer, ErrDialFailed…) plus ErrGatewayBusy,
// ErrUnknownCallback and ErrDialRefused.
func (cb *Callbacks) DialCallback(ctx context.Context, t *CallbackTicket, ringTimeout time.Duration) (*sip.AgentLeg, error) {
	if t == nil {
		return nil, ErrCallbackNoTicket
	}
	cb.mu.Lock()
	issued := cb.tickets[t.id] == t
	cb.mu.Unlock()
	if !issued {
		return nil, ErrUnknownCallback
	}
	if cb.check != nil {
		if err := cb.check(t.id, t.number); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDialRefused, err)
		}
	}
	select {
	case cb.sem <- struct{}{}:
	default:
		return nil, ErrGatewayBusy
	}
	defer func() { <-cb.sem }()
	if cb.routes != nil {
		return cb.dialTrunks(ctx, t.number, ringTimeout)
	}
	return cb.dial(ctx, t.number, ringTimeout)
}

func (cb *Callbacks) dial(ctx context.Context, number string, ringTimeout time.Duration) (*sip.AgentLeg, error) {
	var target sipmsg.Uri
	if err := sipmsg.ParseUri(strings.ReplaceAll(cb.cfg.URI, "{number}", number), &target); err != nil {
		return nil, fmt.Errorf("%w: gateway uri: %v", sip.ErrDialFailed, err)
	}
	transport := strings.ToUpper(cb.cfg.Transport)
	if transport == "" {
		transport = "UDP"
	}
	return cb.e.DialOut(ctx, sip.OutboundCall{
		Peer: "gateway", Target: target, FromUser: cb.cfg.FromNumber,
		Dest: cb.host, Transport: transport, FromListener: true,
	}, ringTimeout)
}
