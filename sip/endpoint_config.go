package sip

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
	"github.com/hotline-oss/hotline/sip/guard"
	"github.com/hotline-oss/hotline/sip/registrar"
)

// Config is what the endpoint needs from the server configuration.
type Config struct {
	Listen      netip.AddrPort
	Transports  []string   // "udp", "tcp"
	Advertise   netip.Addr // host for Contact; zero: the listen address
	MaxCalls    int
	AnswerDelay time.Duration
	UserAgent   string
	// TCPIdleTimeout closes a TCP or TLS connection that sent nothing for
	// this long (a CRLF keep-alive counts); zero: never. Registrations
	// over those transports are granted less than that (registrar.StreamLimit).
	TCPIdleTimeout time.Duration

	RTPAdvertise      netip.Addr // address in SDP answers
	InactivityTimeout time.Duration
	Codecs            []rtpcodec.Codec // supported, in our order of preference when the caller has none
	// AgentCodecs are offered to agents' phones, in preference order;
	// empty: Codecs. G722 here gives agents wideband legs, transcoded to
	// the caller's G.711 by the media engine.
	AgentCodecs []rtpcodec.Codec

	// IsHotline reports whether a dialled number (Request-URI user) is
	// one of ours; anything else gets 404, so nothing is ever relayed.
	IsHotline func(number string) bool
	// IsInternal reports whether a number is for agents only (feature
	// codes); such calls need digest authentication as an agent.
	IsInternal func(number string) bool
	// RedirectInternal may send an agent's call to an internal number to
	// another server before it is authenticated (package admission): ok with
	// where that server listens (UDP and TCP). nil: never.
	RedirectInternal func(fromUser, number string) (to netip.AddrPort, ok bool)
	// MaskNumbers keeps caller numbers out of logs.
	MaskNumbers bool
	Logger      *slog.Logger

	// AgentPassword returns an agent's SIP password (ok=false: no such
	// agent). Agents' softphones REGISTER with digest authentication.
	AgentPassword func(user string) (password string, ok bool)
	// OnRegistration is told when an agent's first contact registers and
	// when its last one goes (un-REGISTER or expiry).
	OnRegistration func(user string, registered bool)
	// OnBindings, when set, is told an agent's bindings after each
	// REGISTER accepted (a cluster shares them so that every node can
	// ring the phone); an expiry is told through OnRegistration.
	OnBindings func(user string, bindings []registrar.Binding)
	Auth       guard.AuthConfig
	// Guard sets per-source limits (guard.go) and Overload the limits on
	// new calls (overload.go); OnReject and OnBan report refusals (a
	// Reject* reason) and new bans, for metrics.
	Guard    guard.Config
	Overload guard.OverloadConfig
	OnReject func(reason string)
	OnBan    func()
	// Now stamps events; default time.Now. The server passes its own
	// clock so that every event of a call uses one.
	Now func() time.Time
	// TLS, when set, adds a SIP-over-TLS listener and its policies (tls.go).
	TLS *TLSConfig

	// Consult, when set, may ring a colleague before an agent's call to an
	// internal number is answered (see ConsultFunc).
	Consult ConsultFunc

	// MaxContacts caps each agent's registered contacts (default
	// DefaultMaxContacts): past it the one refreshed longest ago is
	// replaced, and OnContactReplaced is told.
	MaxContacts       int
	OnContactReplaced func()

	// Trunks tells which trunk a request comes from (sip/admission): its
	// caller identity may be believed and its numbers are rewritten.
	Trunks TrunkDirectory

	// T1 is RFC 3261's round-trip estimate (default 500 ms). 64*T1 bounds
	// the wait for the ACK of our 200 OK and for the answer to our BYE
	// (sip/inbound/answer.go); tests shorten it.
	T1 time.Duration

	// MinSE is the smallest session interval accepted (RFC 4028): a
	// Session-Expires below it gets 422 with our Min-SE. Default
	// DefaultMinSE (90 s, the RFC's floor; tests go lower).
	MinSE time.Duration
	// SessionExpires is the interval we ask for when a caller supports
	// session timers without requesting one; default
	// DefaultSessionExpires; negative turns session timers off.
	SessionExpires time.Duration
	// OnSessionExpired is told of each call ended because its session
	// interval ran out without a refresh (for a metric).
	OnSessionExpired func()
	// EarlyMedia, when set, returns the announcement to play in 183
	// Session Progress before a call to number is answered (nil: none).
	EarlyMedia func(number string) []*playout.Prompt
}
