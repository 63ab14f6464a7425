package testphone

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sipdigest"
	"github.com/hotline-oss/hotline/internal/testphone/sipregister"
)

// Digest algorithms the phone answers, in order of preference (RFC 8760).
const (
	AlgorithmSHA256 = sipdigest.AlgorithmSHA256
	AlgorithmMD5    = sipdigest.AlgorithmMD5
)

// ErrNoUsableChallenge means a 401/407 offered no digest challenge the
// phone can answer (or none with the algorithm insisted on).
var ErrNoUsableChallenge = sipdigest.ErrNoUsableChallenge

// RegisterOptions is one REGISTER as RegisterWith sends it; an empty
// Password is Config.Password.
type RegisterOptions = sipregister.Options

// Registration is the registrar's final answer.
type Registration = sipregister.Registration

// Register binds the phone's listening address to its User at the server,
// answering a digest challenge with password. expires is the lifetime
// asked for (whole seconds). A final non-2xx, e.g. 401 for a wrong
// password or 403 once locked out, comes back as *StatusError.
func (p *Phone) Register(ctx context.Context, password string, expires time.Duration) error {
	_, err := p.RegisterWith(ctx, RegisterOptions{Password: password, Expires: expires})
	return err
}

// Unregister removes the binding (Expires: 0), with the credentials of the
// latest successful RegisterWith.
func (p *Phone) Unregister(ctx context.Context) error {
	_, err := p.RegisterWith(ctx, p.reg.Removal())
	return err
}

// RegisterWith sends one REGISTER, answers a 401/407 challenge once (twice
// if the server calls the first nonce stale), and reports the outcome. A
// final non-2xx is also returned as *StatusError alongside its Registration.
func (p *Phone) RegisterWith(ctx context.Context, opts RegisterOptions) (Registration, error) {
	if p.isClosed() {
		return Registration{}, ErrClosed
	}
	if opts.Password == "" {
		opts.Password = p.cfg.Password
	}
	out, err := p.reg.Register(ctx, opts)
	if err != nil {
		return Registration{}, err
	}
	if !out.OK() {
		return out, &StatusError{Code: out.Code, Reason: out.Reason}
	}
	return out, nil
}

// newRegistration is the phone's registration dialog: its address of
// record at the server, its Contact, REGISTERs sent from its socket.
func (p *Phone) newRegistration() *sipregister.Client {
	return sipregister.New(sipregister.Identity{
		User: p.cfg.User, Domain: p.serverHost(), Registrar: p.serverURI(""), Contact: p.contact,
	}, p.sendRegister)
}

func (p *Phone) sendRegister(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	p.pin(req)
	res, err := finalOf(p.client.Do(ctx, req))
	if err != nil {
		return nil, fmt.Errorf("testphone: register: %w", err)
	}
	return res, nil
}
