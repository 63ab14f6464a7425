package guard

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Why a request was refused: the label values of
// hotline_sip_rejected_total{reason}. The set is fixed so that the series
// stays bounded whatever the network sends.
const (
	RejectBanned      = "banned"       // the source is banned after failed logins
	RejectAuthFailed  = "auth_failed"  // a wrong digest answer
	RejectRateLimited = "rate_limited" // the source sent too many requests
	RejectUserAgent   = "user_agent"   // a scanner's User-Agent
	RejectNotOurs     = "not_ours"     // a number (or domain) that is not ours: 404
	RejectOverload    = "overload"     // channel, call-rate or CPU limit: 503
	RejectDraining    = "draining"     // shutting down: 503
	RejectMalformed   = "malformed"    // 400
	RejectMethod      = "method"       // 405, 501
	RejectNonceReplay = "nonce_replay" // a digest answer sent again with a used nonce count
)

// RejectReasons lists every reason, for metrics to initialise its series.
var RejectReasons = []string{
	RejectBanned, RejectAuthFailed, RejectRateLimited, RejectUserAgent, RejectNotOurs,
	RejectOverload, RejectDraining, RejectMalformed, RejectMethod, RejectNonceReplay,
}

// Action is what the guard does with a request it refuses.
type Action string

const (
	// ActionSilence drops the request without an answer: a scanner learns
	// nothing, and a flood costs us no response.
	ActionSilence Action = "silence"
	// ActionForbidden answers 403 Forbidden.
	ActionForbidden Action = "403"
)

// DefaultScannerUserAgents are the User-Agent markers of well-known SIP
// scanning and password-guessing tools.
var DefaultScannerUserAgents = []string{
	"friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sundayddr", "iWar", "VaxSIPUserAgent",
}

// Config sets the per-source limits applied before any handler. The
// zero value limits nothing.
type Config struct {
	// Trusted sources (a carrier's SBC sends every caller's INVITE from one
	// address) are never rate limited nor refused for a ban; digest
	// authentication still bans them from logging in.
	Trusted []netip.Prefix
	// KnownPeer reports the addresses of configured trunks: a carrier
	// sends every call from a few addresses, so they are exempt from the
	// per-source limits and bans like Trusted (but their caller identity
	// is believed only for trunks marked trusted).
	KnownPeer func(netip.Addr) bool
	// MaxSources bounds the per-source table (default DefaultMaxSources).
	MaxSources int
	// IPv6PrefixLength groups IPv6 addresses into one source per prefix of
	// this length for limits, failure counts and bans (default
	// DefaultIPv6PrefixLength; 128: every address on its own).
	IPv6PrefixLength int
	// Token buckets per source. Over the limit, INVITE and REGISTER get
	// 503 with Retry-After (RFC 3261 21.5.4: a well-behaved phone backs
	// off); OPTIONS and methods we do not serve get no answer, because
	// those floods come from scanners and an answer only feeds them.
	Invite, Register, Options RateLimit
	// UserAgentDeny refuses requests whose User-Agent contains one of these
	// (case-insensitive), answered by ScannerAction (default silence).
	UserAgentDeny []string
	ScannerAction Action
	// BanAction answers a banned source (default 403).
	BanAction Action
}

// logEvery bounds the guard's log lines to one per source per minute.
const logEvery = time.Minute

// Guard applies Config. Its clock is injected for tests.
type Guard struct {
	cfg     Config
	deny    []string // lower-cased UserAgentDeny
	sources *Sources
	now     func() time.Time
}

// New builds a guard over sources (shared with the Authenticator) on the
// clock now.
func New(cfg Config, sources *Sources, now func() time.Time) *Guard {
	if cfg.ScannerAction == "" {
		cfg.ScannerAction = ActionSilence
	}
	if cfg.BanAction == "" {
		cfg.BanAction = ActionForbidden
	}
	g := &Guard{cfg: cfg, sources: sources, now: now}
	for _, ua := range cfg.UserAgentDeny {
		if ua = strings.TrimSpace(ua); ua != "" {
			g.deny = append(g.deny, strings.ToLower(ua))
		}
	}
	return g
}

// Verdict is the guard's decision on one request.
type Verdict struct {
	Pass       bool
	Reason     string        // Reject* when refused
	Action     Action        // silence or 403, or "" for 503
	RetryAfter time.Duration // with a 503
	LogIt      bool          // the first refusal of this source in a while
}

// Check decides on an out-of-dialog request of class from src.
func (g *Guard) Check(src netip.Addr, class Class, userAgent string) Verdict {
	now := g.now()
	if g.scanner(userAgent) {
		return Verdict{Reason: RejectUserAgent, Action: g.cfg.ScannerAction, LogIt: g.sources.shouldLog(src, now, logEvery)}
	}
	if g.Trusted(src) || (g.cfg.KnownPeer != nil && g.cfg.KnownPeer(src)) {
		return Verdict{Pass: true}
	}
	if g.sources.banned(src, now) {
		return Verdict{Reason: RejectBanned, Action: g.cfg.BanAction}
	}
	limit := g.limit(class)
	if limit.PerSecond <= 0 {
		return Verdict{Pass: true}
	}
	ok, wait := g.sources.take(src, class, now, limit)
	if ok {
		return Verdict{Pass: true}
	}
	v := Verdict{Reason: RejectRateLimited, LogIt: g.sources.shouldLog(src, now, logEvery)}
	if class == ClassOptions {
		v.Action = ActionSilence
	} else {
		// Retry-After tells the phone when its bucket has a token again.
		v.RetryAfter = max(wait, time.Second)
	}
	return v
}

func (g *Guard) limit(class Class) RateLimit {
	switch class {
	case ClassInvite:
		return g.cfg.Invite
	case ClassRegister:
		return g.cfg.Register
	}
	return g.cfg.Options
}

func (g *Guard) scanner(userAgent string) bool {
	if userAgent == "" || len(g.deny) == 0 {
		return false
	}
	// Scanner tools name themselves up front; looking at the first bytes
	// bounds the work a huge header can cost.
	ua := strings.ToLower(userAgent[:min(len(userAgent), 256)])
	for _, d := range g.deny {
		if strings.Contains(ua, d) {
			return true
		}
	}
	return false
}

// Trusted reports whether src is in a trusted range.
func (g *Guard) Trusted(src netip.Addr) bool {
	for _, p := range g.cfg.Trusted {
		if p.Contains(src) {
			return true
		}
	}
	return false
}

// RejectReasonForStatus maps a final status to its reject reason. 503 and
// 403 are counted where they are decided (overload, draining, bans).
func RejectReasonForStatus(code int) string {
	switch code {
	case sipmsg.StatusBadRequest:
		return RejectMalformed
	case sipmsg.StatusNotFound:
		return RejectNotOurs
	case sipmsg.StatusMethodNotAllowed, sipmsg.StatusNotImplemented:
		return RejectMethod
	}
	return ""
}

// RetryAfterHeader rounds up to whole seconds, as the header wants.
func RetryAfterHeader(d time.Duration) sipmsg.Header {
	secs := int64((d + time.Second - 1) / time.Second)
	return sipmsg.NewHeader("Retry-After", strconv.FormatInt(max(secs, 1), 10))
}

// BanAction is how a banned source is answered.
func (g *Guard) BanAction() Action { return g.cfg.BanAction }
