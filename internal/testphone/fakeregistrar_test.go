package testphone

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// The registrar's realm, and the shortest binding it grants (423 below).
const (
	fakeRealm      = "hotline"
	fakeMinExpires = 60
)

// fakeRegistrar challenges with the configured algorithms (in order),
// checks answers with its own digest arithmetic, and keeps bindings.
type fakeRegistrar struct {
	mu         sync.Mutex
	user       string
	password   string
	algorithms []string
	staleOnce  bool // call the first correct answer's nonce stale
	nonces     map[string]bool
	attempts   []registerAttempt
	invites    []registerAttempt // challenged INVITEs, judged the same way
	bindings   map[string]int    // contact URI -> expires seconds
}

// registerAttempt is one REGISTER as the registrar judged it.
type registerAttempt struct {
	callID     string
	cseq       uint32
	expires    int
	algorithm  string // "" when the REGISTER carried no credentials
	digestURI  string
	requestURI string
	verified   bool
}

func (r *fakeRegistrar) init() {
	r.user, r.password = "1001", "s3cret"
	r.algorithms = []string{AlgorithmSHA256, AlgorithmMD5}
	r.nonces = make(map[string]bool)
	r.bindings = make(map[string]int)
}

func (u *fakeUAS) configureRegistrar(user, password string, algorithms ...string) {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	u.reg.user, u.reg.password, u.reg.algorithms = user, password, algorithms
}

func (u *fakeUAS) registerLog() []registerAttempt {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	return append([]registerAttempt(nil), u.reg.attempts...)
}

func (u *fakeUAS) binding(contact string) (int, bool) {
	u.reg.mu.Lock()
	defer u.reg.mu.Unlock()
	expires, ok := u.reg.bindings[contact]
	return expires, ok
}

func (u *fakeUAS) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	r := &u.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	attempt := registerAttempt{callID: req.CallID().Value(), cseq: req.CSeq().SeqNo, requestURI: req.Recipient.String()}
	if h := req.GetHeader("Expires"); h != nil {
		attempt.expires, _ = strconv.Atoi(h.Value())
	}
	stale := false
	if h := req.GetHeader("Authorization"); h != nil {
		cred, err := digest.ParseCredentials(h.Value())
		if err != nil {
			u.t.Errorf("registrar: authorization %q: %v", h.Value(), err)
		} else {
			attempt.algorithm, attempt.digestURI = cred.Algorithm, cred.URI
			attempt.verified = r.nonces[cred.Nonce] && cred.Username == r.user &&
				cred.Realm == fakeRealm && cred.Response == expectedDigest(cred, "REGISTER", r.password)
			if attempt.verified && r.staleOnce {
				r.staleOnce, attempt.verified, stale = false, false, true
			}
		}
	}
	r.attempts = append(r.attempts, attempt)
	switch {
	case !attempt.verified:
		_ = tx.Respond(r.challenge(req, stale))
	case attempt.expires > 0 && attempt.expires < fakeMinExpires:
		res := sip.NewResponseFromRequest(req, sip.StatusIntervalToBrief, "Interval Too Brief", nil)
		res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(fakeMinExpires)))
		_ = tx.Respond(res)
	default:
		_ = tx.Respond(r.bind(req, attempt.expires))
	}
}

// authorizeInvite checks an INVITE's credentials against the registrar's
// user, answering 401 with a fresh challenge when they do not pass.
func (u *fakeUAS) authorizeInvite(req *sip.Request, dialog *sipgo.DialogServerSession) bool {
	r := &u.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	attempt := registerAttempt{callID: req.CallID().Value(), cseq: req.CSeq().SeqNo, requestURI: req.Recipient.String()}
	if h := req.GetHeader("Authorization"); h != nil {
		if cred, err := digest.ParseCredentials(h.Value()); err == nil {
			attempt.algorithm, attempt.digestURI = cred.Algorithm, cred.URI
			attempt.verified = r.nonces[cred.Nonce] && cred.Username == r.user &&
				cred.Response == expectedDigest(cred, "INVITE", r.password)
		}
	}
	r.invites = append(r.invites, attempt)
	if attempt.verified {
		return true
	}
	challenge := r.challenge(req, false)
	_ = dialog.Respond(sip.StatusUnauthorized, "Unauthorized", nil, challenge.GetHeaders("WWW-Authenticate")...)
	return false
}

func (r *fakeRegistrar) challenge(req *sip.Request, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	var raw [12]byte
	_, _ = rand.Read(raw[:])
	nonce := hex.EncodeToString(raw[:])
	r.nonces[nonce] = true
	for _, alg := range r.algorithms {
		v := fmt.Sprintf(`Digest realm=%q, nonce=%q, algorithm=%s, qop="auth"`, fakeRealm, nonce, alg)
		if stale {
			v += ", stale=true"
		}
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", v))
	}
	return res
}

func (r *fakeRegistrar) bind(req *sip.Request, expires int) *sip.Response {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if contact := req.Contact(); contact != nil {
		key := contact.Address.String()
		if expires == 0 {
			delete(r.bindings, key)
		} else {
			r.bindings[key] = expires
		}
	}
	for uri, seconds := range r.bindings {
		c := &sip.ContactHeader{Params: sip.NewParams()}
		if err := sip.ParseUri(uri, &c.Address); err != nil {
			continue
		}
		c.Params.Add("expires", strconv.Itoa(seconds))
		res.AppendHeader(c)
	}
	return res
}

// expectedDigest is RFC 7616 section 3.4.1 with qop=auth, written out so
// that the phone's arithmetic is checked against an independent one.
func expectedDigest(cred *digest.Credentials, method, password string) string {
	var h hash.Hash
	switch strings.ToUpper(cred.Algorithm) {
	case "", AlgorithmMD5:
		h = md5.New()
	case AlgorithmSHA256:
		h = sha256.New()
	default:
		return "unsupported algorithm " + cred.Algorithm
	}
	sum := func(s string) string {
		h.Reset()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil))
	}
	ha1 := sum(cred.Username + ":" + cred.Realm + ":" + password)
	ha2 := sum(method + ":" + cred.URI)
	return sum(fmt.Sprintf("%s:%s:%08x:%s:%s:%s", ha1, cred.Nonce, cred.Nc, cred.Cnonce, cred.QOP, ha2))
}
