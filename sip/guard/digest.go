package guard

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// AuthResult is the outcome of checking a request's digest credentials.
type AuthResult uint8

const (
	// AuthOK: the credentials are valid for a known user.
	AuthOK AuthResult = iota
	// AuthChallenge: no (or stale, or wrong) credentials: answer 401.
	AuthChallenge
	// AuthBanned: the source failed too often; answer 403.
	AuthBanned
)

// AuthConfig tunes digest authentication and the brute-force lockout.
type AuthConfig struct {
	Realm string
	// Algorithms are the challenges offered, most preferred first (RFC
	// 8760): default SHA-256 then MD5. Some phones (libre-based baresip
	// 1.0) give up at the first challenge they cannot answer; for them
	// put MD5 first or alone.
	Algorithms  []string
	NonceTTL    time.Duration // a nonce older than this is answered stale=true
	MaxFailures int           // wrong answers from one source within Window …
	Window      time.Duration
	BanFor      time.Duration // … ban that source this long
	// MaxNonces bounds the nonce counts remembered against replays
	// (default DefaultMaxNonces; see nonceCounts).
	MaxNonces int
	// Password returns a user's password; ok=false for unknown users.
	Password func(user string) (password string, ok bool)
	Now      func() time.Time
	// OnFailure is told of every failed digest answer: the source, the
	// user it claimed, why it failed (one of the AuthFail* reasons) and
	// whether this failure got the source banned.
	OnFailure func(source netip.Addr, user, reason string, banned bool)

	// Sources holds failures and bans; the endpoint shares its guard's
	// bounded table. nil: a table of its own.
	Sources *Sources
}

// Why a digest answer failed, for logs (a fail2ban filter reads them).
const (
	AuthFailMalformed   = "malformed"     // unparsable Authorization
	AuthFailRealm       = "wrong_realm"   // not our realm
	AuthFailAlgorithm   = "bad_algorithm" // an algorithm we did not offer
	AuthFailNonce       = "bad_nonce"     // a nonce we did not issue
	AuthFailUnknownUser = "unknown_user"
	AuthFailPassword    = "bad_password"
	AuthFailReplay      = "nonce_replay" // a nonce count already used: a captured answer sent again
)

// Authenticator checks SIP digest credentials (RFC 8760: SHA-256 and MD5)
// with stateless signed nonces, and bans sources that keep failing.
type Authenticator struct {
	cfg    AuthConfig
	secret [32]byte

	sources *Sources
	nonces  *nonceCounts
}

// NewAuthenticator fills defaults: realm "hotline", nonces valid 5 min,
// 10 failures in 10 min ban a source for 15 min.
func NewAuthenticator(cfg AuthConfig) *Authenticator {
	if cfg.Realm == "" {
		cfg.Realm = "hotline"
	}
	if cfg.NonceTTL <= 0 {
		cfg.NonceTTL = 5 * time.Minute
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{"SHA-256", "MD5"}
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 10
	}
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Minute
	}
	if cfg.BanFor <= 0 {
		cfg.BanFor = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Password == nil {
		cfg.Password = func(string) (string, bool) { return "", false }
	}
	if cfg.Sources == nil {
		cfg.Sources = NewSources(0)
	}
	a := &Authenticator{cfg: cfg, sources: cfg.Sources, nonces: newNonceCounts(cfg.MaxNonces)}
	_, _ = rand.Read(a.secret[:])
	return a
}

// Check verifies the Authorization header of req from source. On AuthOK it
// returns the authenticated user; on AuthChallenge, stale says the nonce
// had only expired (the phone may retry without asking its user).
func (a *Authenticator) Check(req *sipmsg.Request, source netip.Addr) (user string, result AuthResult, stale bool) {
	now := a.cfg.Now()
	if a.sources.banned(source, now) {
		return "", AuthBanned, false
	}
	h := req.GetHeader("Authorization")
	if h == nil {
		return "", AuthChallenge, false
	}
	cred, err := digest.ParseCredentials(h.Value())
	switch {
	case err != nil || cred.Username == "":
		a.fail(source, "", AuthFailMalformed, now)
		return "", AuthChallenge, false
	case cred.Realm != a.cfg.Realm:
		a.fail(source, cred.Username, AuthFailRealm, now)
		return "", AuthChallenge, false
	case !a.offers(cred.Algorithm):
		a.fail(source, cred.Username, AuthFailAlgorithm, now)
		return "", AuthChallenge, false
	}
	fresh, genuine := a.checkNonce(cred.Nonce, now)
	if !genuine {
		a.fail(source, cred.Username, AuthFailNonce, now)
		return "", AuthChallenge, false
	}
	password, known := a.cfg.Password(cred.Username)
	if !known {
		// Compute against a throw-away password so that an unknown user
		// costs the same and looks the same as a wrong password.
		password = "\x00unknown"
	}
	if matches := a.responseMatches(cred, req.Method.String(), password); !matches || !known {
		reason := AuthFailPassword
		if !known {
			reason = AuthFailUnknownUser
		}
		a.fail(source, cred.Username, reason, now)
		return "", AuthChallenge, false
	}
	if !fresh {
		return "", AuthChallenge, true
	}
	switch a.nonces.use(cred.Nonce, cred.Algorithm, cred.Nc, nonceIssued(cred.Nonce), now.Add(-a.cfg.NonceTTL)) {
	case nonceReplayed:
		// The right answer sent again: someone replays a captured
		// request. stale=true lets a genuine phone that lost its count
		// retry at once with a fresh nonce.
		a.fail(source, cred.Username, AuthFailReplay, now)
		return "", AuthChallenge, true
	case nonceForgotten:
		return "", AuthChallenge, true
	}
	return cred.Username, AuthOK, false
}

func (a *Authenticator) responseMatches(cred *digest.Credentials, method, password string) bool {
	chal := &digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		if cred.QOP != "auth" {
			return false // auth-int would need the body; phones use auth
		}
		chal.QOP = []string{"auth"}
	}
	want, err := digest.Digest(chal, digest.Options{
		Method: method, URI: cred.URI, Count: cred.Nc, Cnonce: cred.Cnonce,
		Username: cred.Username, Password: password,
	})
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(want.Response)), []byte(strings.ToLower(cred.Response))) == 1
}

// Challenge builds the 401 for req: one challenge per configured
// algorithm, most preferred first (RFC 8760 section 2.4).
func (a *Authenticator) Challenge(req *sipmsg.Request, stale bool) *sipmsg.Response {
	res := sipmsg.NewResponseFromRequest(req, sipmsg.StatusUnauthorized, "Unauthorized", nil)
	nonce := a.newNonce(a.cfg.Now())
	for _, alg := range a.cfg.Algorithms {
		v := `Digest realm="` + a.cfg.Realm + `", nonce="` + nonce + `", algorithm=` + alg + `, qop="auth"`
		if stale {
			v += ", stale=true"
		}
		res.AppendHeader(sipmsg.NewHeader("WWW-Authenticate", v))
	}
	return res
}

// offers reports whether alg is one of the configured algorithms (an
// absent algorithm means MD5).
func (a *Authenticator) offers(alg string) bool {
	if alg == "" {
		alg = "MD5"
	}
	for _, x := range a.cfg.Algorithms {
		if strings.EqualFold(x, alg) {
			return true
		}
	}
	return false
}

// A nonce is its issue time, eight random bytes and an HMAC of both: no
// server state, and a forged or altered nonce is recognised. The random
// part keeps two challenges issued at the same instant (two phones
// registering together, or a clock that does not move) apart, so the
// replay check never mistakes one phone's first answer for the other's.
func (a *Authenticator) newNonce(now time.Time) string {
	var body [nonceBody]byte
	binary.BigEndian.PutUint64(body[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(body[8:])
	return hex.EncodeToString(body[:]) + hex.EncodeToString(a.sign(body[:]))
}

// nonceBody is the signed part of a nonce: issue time and random bytes.
const nonceBody = 8 + 8

func (a *Authenticator) sign(ts []byte) []byte {
	m := hmac.New(sha256.New, a.secret[:])
	m.Write(ts)
	return m.Sum(nil)[:16]
}

func (a *Authenticator) checkNonce(nonce string, now time.Time) (fresh, genuine bool) {
	raw, err := hex.DecodeString(nonce)
	if err != nil || len(raw) != nonceBody+16 {
		return false, false
	}
	if !hmac.Equal(raw[nonceBody:], a.sign(raw[:nonceBody])) {
		return false, false
	}
	age := now.Sub(nonceIssued(nonce))
	return age >= 0 && age <= a.cfg.NonceTTL, true
}

// nonceIssued reads the issue time of a nonce checkNonce found genuine.
func nonceIssued(nonce string) time.Time {
	raw, err := hex.DecodeString(nonce)
	if err != nil || len(raw) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
}

// fail counts a failed answer from source and bans the source when it
// has failed MaxFailures times within Window.
func (a *Authenticator) fail(source netip.Addr, user, reason string, now time.Time) {
	banned := false
	if a.sources.fail(source, now, a.cfg.Window) >= a.cfg.MaxFailures {
		banned = a.sources.ban(source, now.Add(a.cfg.BanFor))
	}
	if a.cfg.OnFailure != nil {
		a.cfg.OnFailure(source, user, reason, banned)
	}
}

// IsBanned reports whether source is banned now.
func (a *Authenticator) IsBanned(source netip.Addr) bool {
	return a.sources.banned(source, a.cfg.Now())
}

// Banned lists the sources banned now (for metrics and operators).
func (a *Authenticator) Banned() []netip.Addr {
	return a.sources.bannedNow(a.cfg.Now())
}

// BanFor is how long a source that kept failing stays banned.
func (a *Authenticator) BanFor() time.Duration { return a.cfg.BanFor }

// Sources is the table of failures and bans the authenticator keeps.
func (a *Authenticator) Sources() *Sources { return a.sources }
