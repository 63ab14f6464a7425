package sipregister

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hotline-oss/hotline/internal/testphone/sipdigest"
)

// Options is one REGISTER as Register sends it.
type Options struct {
	Password string // sent as given (testphone fills in Config.Password)
	// Expires is the binding lifetime asked for, sent in whole seconds;
	// 0 removes the binding (what Unregister sends).
	Expires time.Duration
	// AuthUser is the digest username; default Identity.User.
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
	// Reason is the final response's reason phrase.
	Reason string
	// Expires is the lifetime granted to our Contact: its expires
	// parameter, else the Expires header; 0 once removed.
	Expires time.Duration
	// Contacts lists every binding the registrar returned, as URIs.
	Contacts []string
	// Algorithm is the digest algorithm answered, "" when unchallenged.
	Algorithm string
}

// OK reports a 2xx answer.
func (r Registration) OK() bool { return r.Code >= 200 && r.Code < 300 }

// Identity is what every REGISTER of one phone names.
type Identity struct {
	User      string            // the address of record's user, default digest username
	Domain    string            // the address of record's host: the server's
	Registrar sip.Uri           // the Request-URI (and the digest URI)
	Contact   sip.ContactHeader // the binding asked for
}

// SendFunc sends one request from the phone's socket and returns its final
// response, never nil without an error.
type SendFunc func(ctx context.Context, req *sip.Request) (*sip.Response, error)

// Client is one phone's registration dialog. Its REGISTERs go out one at
// a time.
type Client struct {
	id   Identity
	send SendFunc

	mu     sync.Mutex
	callID string
	cseq   uint32
	last   Options
}

// New returns the registration of id, sending through send.
func New(id Identity, send SendFunc) *Client {
	return &Client{id: id, send: send, callID: sip.GenerateTagN(24)}
}

// Removal is the REGISTER that removes the binding (Expires: 0), with the
// credentials of the latest successful Register.
func (c *Client) Removal() Options {
	c.mu.Lock()
	opts := c.last
	c.mu.Unlock()
	opts.Expires = 0
	opts.FollowMinExpires = false
	return opts
}

// Register sends one REGISTER, answers a 401/407 challenge once (twice if
// the server calls the first nonce stale), and reports the final answer,
// which may be a non-2xx; the error is the sender's or the challenge's.
func (c *Client) Register(ctx context.Context, opts Options) (Registration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res, alg, err := c.registerAuthenticated(ctx, opts)
	if err == nil && res.StatusCode == sip.StatusIntervalToBrief && opts.FollowMinExpires {
		if min, ok := headerSeconds(res, "Min-Expires"); ok {
			opts.Expires = min
			res, alg, err = c.registerAuthenticated(ctx, opts)
		}
	}
	if err != nil {
		return Registration{}, err
	}
	out := c.registrationFrom(res, opts.Expires)
	out.Algorithm = alg
	if out.OK() && opts.Expires > 0 {
		c.last = opts
	}
	return out, nil
}

// registerAuthenticated sends REGISTER and answers challenges; it returns
// the final response and the digest algorithm used. Caller holds c.mu.
func (c *Client) registerAuthenticated(ctx context.Context, opts Options) (*sip.Response, string, error) {
	res, err := c.sendRegister(ctx, opts.Expires, nil)
	if err != nil {
		return nil, "", err
	}
	algorithm := ""
	for round := 0; sipdigest.IsChallenge(res) && (round == 0 || sipdigest.IsStale(res)) && round < 2; round++ {
		auth, alg, err := c.authorization(res, opts)
		if err != nil {
			return nil, "", err
		}
		algorithm = alg
		if res, err = c.sendRegister(ctx, opts.Expires, auth); err != nil {
			return nil, "", err
		}
	}
	return res, algorithm, nil
}

func (c *Client) sendRegister(ctx context.Context, expires time.Duration, auth sip.Header) (*sip.Response, error) {
	req := c.newRegister(expires)
	if auth != nil {
		req.AppendHeader(auth)
	}
	return c.send(ctx, req)
}

// newRegister builds REGISTER for our address of record with the
// registration's Call-ID and next CSeq. Caller holds c.mu.
func (c *Client) newRegister(expires time.Duration) *sip.Request {
	req := sip.NewRequest(sip.REGISTER, *c.id.Registrar.Clone())
	aor := sip.Uri{Scheme: "sip", User: c.id.User, Host: c.id.Domain}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	callID := sip.CallIDHeader(c.callID)
	c.cseq++
	cseq := &sip.CSeqHeader{SeqNo: c.cseq, MethodName: sip.REGISTER}
	seconds := sip.ExpiresHeader(max(expires, 0) / time.Second)
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(cseq)
	req.AppendHeader(sip.HeaderClone(&c.id.Contact))
	req.AppendHeader(&seconds)
	return req
}

// authorization answers the preferred challenge of res for a REGISTER to
// the registrar's URI.
func (c *Client) authorization(res *sip.Response, opts Options) (sip.Header, string, error) {
	user := opts.AuthUser
	if user == "" {
		user = c.id.User
	}
	return sipdigest.Authorization(res, sipdigest.Credentials{
		Method: sip.REGISTER.String(), URI: c.id.Registrar.String(),
		User: user, Password: opts.Password, Algorithm: opts.Algorithm,
	})
}

// registrationFrom reads the bindings of a REGISTER response.
func (c *Client) registrationFrom(res *sip.Response, asked time.Duration) Registration {
	out := Registration{Code: res.StatusCode, Reason: res.Reason}
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
		if !sameAddress(contact.Address, c.id.Contact.Address) {
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
