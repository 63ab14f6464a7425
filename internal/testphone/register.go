package testphone

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sipdigest"
)

// Digest algorithms the phone answers, in order of preference (RFC 8760).
const (
	AlgorithmSHA256 = sipdigest.AlgorithmSHA256
	AlgorithmMD5    = sipdigest.AlgorithmMD5
)

// ErrNoUsableChallenge means a 401/407 offered no digest challenge the
// phone can answer (or none with the algorithm insisted on).
var ErrNoUsableChallenge = sipdigest.ErrNoUsableChallenge

// RegisterOptions is one REGISTER as RegisterWith sends it.
type RegisterOptions struct {
	Password string // default Config.Password
	// Expires is the binding lifetime asked for, sent in whole seconds;
	// 0 removes the binding (what Unregister sends).
	Expires time.Duration
	// AuthUser is the digest username; default Config.User.
	AuthUser string
	// Algorithm insists on one challenge ("MD5" or "SHA-256"); empty takes
	// SHA-256 when offered, else MD5.
	Algorithm string
	// FollowMinExpires retries once with the server's Min-Expires after a
	// 423 Interval Too Brief, as phones do; otherwise the 423 is returned.
	FollowMinExpires bool
}

// Registration is the registrar's final answer.
type Registration struct {
	Code int
	// Expires is the lifetime granted to our Contact: its expires
	// parameter, else the Expires header; 0 once removed.
	Expires time.Duration
	// Contacts lists every binding the registrar returned, as URIs.
	Contacts []string
	// Algorithm is the digest algorithm answered, "" when unchallenged.
	Algorithm string
}

// registrar holds the phone's registration dialog state: one Call-ID and a
// rising CSeq for every REGISTER (RFC 3261 section 10.2), and the
// credentials Unregister reuses.
type registrar struct {
	mu     sync.Mutex
	callID string
	cseq   uint32
	last   RegisterOptions
}

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
	p.reg.mu.Lock()
	opts := p.reg.last
	p.reg.mu.Unlock()
	opts.Expires = 0
	opts.FollowMinExpires = false
	_, err := p.RegisterWith(ctx, opts)
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
	p.reg.mu.Lock()
	defer p.reg.mu.Unlock()
	res, alg, err := p.registerAuthenticated(ctx, opts)
	if err == nil && res.StatusCode == sip.StatusIntervalToBrief && opts.FollowMinExpires {
		if min, ok := headerSeconds(res, "Min-Expires"); ok {
			opts.Expires = min
			res, alg, err = p.registerAuthenticated(ctx, opts)
		}
	}
	if err != nil {
		return Registration{}, err
	}
	out := p.registrationFrom(res, opts.Expires)
	out.Algorithm = alg
	if !res.IsSuccess() {
		return out, &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	if opts.Expires > 0 {
		p.reg.last = opts
	}
	return out, nil
}

// registerAuthenticated sends REGISTER and answers challenges; it returns
// the final response and the digest algorithm used.
func (p *Phone) registerAuthenticated(ctx context.Context, opts RegisterOptions) (*sip.Response, string, error) {
	res, err := p.sendRegister(ctx, opts.Expires, nil)
	if err != nil {
		return nil, "", err
	}
	algorithm := ""
	for round := 0; sipdigest.IsChallenge(res) && (round == 0 || sipdigest.IsStale(res)) && round < 2; round++ {
		auth, alg, err := p.authorization(res, opts)
		if err != nil {
			return nil, "", err
		}
		algorithm = alg
		if res, err = p.sendRegister(ctx, opts.Expires, auth); err != nil {
			return nil, "", err
		}
	}
	return res, algorithm, nil
}

func (p *Phone) sendRegister(ctx context.Context, expires time.Duration, auth sip.Header) (*sip.Response, error) {
	req := p.newRegister(expires)
	if auth != nil {
		req.AppendHeader(auth)
	}
	res, err := finalOf(p.client.Do(ctx, req))
	if err != nil {
		return nil, fmt.Errorf("testphone: register: %w", err)
	}
	return res, nil
}

// newRegister builds REGISTER sip:<server> for our address of record with
// the registration's Call-ID and next CSeq. Caller holds p.reg.mu.
func (p *Phone) newRegister(expires time.Duration) *sip.Request {
	req := sip.NewRequest(sip.REGISTER, p.serverURI(""))
	aor := sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.serverHost()}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	callID := sip.CallIDHeader(p.reg.callID)
	p.reg.cseq++
	cseq := &sip.CSeqHeader{SeqNo: p.reg.cseq, MethodName: sip.REGISTER}
	seconds := sip.ExpiresHeader(max(expires, 0) / time.Second)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(cseq)
	req.AppendHeader(sip.HeaderClone(&p.contact))
	req.AppendHeader(&seconds)
	p.pin(req)
	return req
}

// authorization answers the preferred challenge of res for a REGISTER
// whose Request-URI is the server's.
func (p *Phone) authorization(res *sip.Response, opts RegisterOptions) (sip.Header, string, error) {
	user := opts.AuthUser
	if user == "" {
		user = p.cfg.User
	}
	uri := p.serverURI("")
	return sipdigest.Authorization(res, sipdigest.Credentials{
		Method: sip.REGISTER.String(), URI: uri.String(),
		User: user, Password: opts.Password, Algorithm: opts.Algorithm,
	})
}

// registrationFrom reads the bindings of a REGISTER response.
func (p *Phone) registrationFrom(res *sip.Response, asked time.Duration) Registration {
	out := Registration{Code: res.StatusCode}
	if !res.IsSuccess() {
		return out
	}
	granted, fromHeader := headerSeconds(res, "Expires")
	if !fromHeader {
		granted = max(asked, 0).Truncate(time.Second)
	}
	ours := false
	for _, h := range res.GetHeaders("Contact") {
		contact, ok := h.(*sip.ContactHeader)
		if !ok {
			continue
		}
		out.Contacts = append(out.Contacts, contact.Address.String())
		if !sameAddress(contact.Address, p.contact.Address) {
			continue
		}
		ours = true
		if v, ok := contact.Params.Get("expires"); ok {
			if seconds, err := strconv.Atoi(v); err == nil {
				out.Expires = time.Duration(seconds) * time.Second
				continue
			}
		}
		out.Expires = granted
	}
	if !ours && asked > 0 {
		out.Expires = granted
	}
	return out
}

func sameAddress(a, b sip.Uri) bool {
	return a.User == b.User && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port
}

func headerSeconds(res *sip.Response, name string) (time.Duration, bool) {
	h := res.GetHeader(name)
	if h == nil {
		return 0, false
	}
	seconds, err := strconv.Atoi(strings.TrimSpace(h.Value()))
	if err != nil || seconds < 0 {
		return 0, false
	}
	return time.Duration(seconds) * time.Second, true
}
