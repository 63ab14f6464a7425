package sipheader

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Option tags (RFC 3261 section 19.2) this endpoint implements for callers:
// reliable provisional responses (RFC 3262) and session timers (RFC 4028).
const (
	Tag100rel = "100rel"
	TagTimer  = "timer"
	// Supported is our Supported header value on answers to callers.
	Supported = "100rel, timer"
)

// Session timer defaults (RFC 4028). DefaultMinSE is the smallest interval
// the RFC allows (section 4); DefaultSessionExpires is the interval we ask
// for when the caller supports timers but requested none (its
// recommended value, section 4).
const (
	DefaultMinSE          = 90 * time.Second
	DefaultSessionExpires = 1800 * time.Second
)

// ErrBadSessionExpires is a Session-Expires or Min-SE header we cannot read.
var ErrBadSessionExpires = errors.New("malformed session timer header")

// Values returns the comma-separated items of every header named
// long or its compact form short (empty: none), trimmed.
func Values(msg sipmsg.Message, long, short string) []string {
	hs := msg.GetHeaders(long)
	if short != "" {
		hs = append(hs, msg.GetHeaders(short)...)
	}
	var out []string
	for _, h := range hs {
		for _, v := range strings.Split(h.Value(), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// HasTag reports whether a Supported/Require-style header lists tag.
func HasTag(msg sipmsg.Message, long, short, tag string) bool {
	for _, v := range Values(msg, long, short) {
		if strings.EqualFold(v, tag) {
			return true
		}
	}
	return false
}

// UnsupportedRequire lists the option tags a request requires that we do
// not implement; such a request gets 420 Bad Extension (RFC 3261 8.2.2.3).
func UnsupportedRequire(req *sipmsg.Request) []string {
	var out []string
	for _, v := range Values(req, "Require", "") {
		if !strings.EqualFold(v, Tag100rel) && !strings.EqualFold(v, TagTimer) {
			out = append(out, v)
		}
	}
	return out
}

// AllowsMethod reports whether msg's Allow header lists method.
func AllowsMethod(msg sipmsg.Message, method string) bool {
	for _, v := range Values(msg, "Allow", "") {
		if strings.EqualFold(v, method) {
			return true
		}
	}
	return false
}

// Refresher says which side of the caller's dialog refreshes the session.
type Refresher uint8

const (
	RefresherUAC Refresher = iota + 1 // the caller
	RefresherUAS                      // we do
)

// String is the refresher parameter's value.
func (r Refresher) String() string {
	if r == RefresherUAS {
		return "uas"
	}
	return "uac"
}

// SessionTimer is a negotiated session timer: the interval within which a
// refresh must come, and who sends it. The zero value means no timer.
type SessionTimer struct {
	Interval  time.Duration
	Refresher Refresher
	// require puts Require: timer in our answers (the caller supports
	// timers, RFC 4028 section 9).
	Require bool
}

// Active reports whether a timer was negotiated.
func (s SessionTimer) Active() bool { return s.Interval > 0 }

// Header is our Session-Expires value.
func (s SessionTimer) Header() string {
	return fmt.Sprintf("%d;refresher=%s", int(s.Interval/time.Second), s.Refresher)
}

// ExpiryWait is how long the side that does not refresh waits for a
// refresh before it ends the session: the interval minus a third of it, at
// most 32 s (RFC 4028 section 10).
func (s SessionTimer) ExpiryWait() time.Duration {
	return s.Interval - min(32*time.Second, s.Interval/3)
}

// RefreshWait is when the refresher refreshes: half the interval (RFC
// 4028 section 7.2 recommends it).
func (s SessionTimer) RefreshWait() time.Duration { return s.Interval / 2 }

// TimerPolicy is our side of the negotiation.
type TimerPolicy struct {
	MinSE   time.Duration // the smallest interval we accept
	Prefer  time.Duration // the interval we ask for; 0: only honour the caller's
	Disable bool          // never use session timers
}

// ParseSessionExpires reads "1800;refresher=uac".
func ParseSessionExpires(v string) (time.Duration, Refresher, error) {
	delta, params, _ := strings.Cut(v, ";")
	n, err := strconv.ParseUint(strings.TrimSpace(delta), 10, 32)
	if err != nil || n == 0 {
		return 0, 0, fmt.Errorf("%w: Session-Expires %q", ErrBadSessionExpires, v)
	}
	var who Refresher
	for _, p := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(k, "refresher") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "uac":
			who = RefresherUAC
		case "uas":
			who = RefresherUAS
		default:
			return 0, 0, fmt.Errorf("%w: refresher %q", ErrBadSessionExpires, val)
		}
	}
	return time.Duration(n) * time.Second, who, nil
}

// NegotiateTimer applies RFC 4028 section 9 to a caller's INVITE (or a
// refresh): it returns the timer to use, or tooSmall when the requested
// interval is below our Min-SE (answer 422 with Min-SE), or an error for a
// malformed header (answer 400).
func NegotiateTimer(req *sipmsg.Request, p TimerPolicy) (st SessionTimer, tooSmall bool, err error) {
	if p.Disable {
		return SessionTimer{}, false, nil
	}
	supports := HasTag(req, "Supported", "k", TagTimer) || HasTag(req, "Require", "", TagTimer)
	theirMin := time.Duration(0)
	if h := req.GetHeader("Min-SE"); h != nil {
		v, _, _ := strings.Cut(h.Value(), ";")
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return SessionTimer{}, false, fmt.Errorf("%w: Min-SE %q", ErrBadSessionExpires, h.Value())
		}
		theirMin = time.Duration(n) * time.Second
	}
	se := req.GetHeader("Session-Expires")
	if se == nil {
		se = req.GetHeader("x")
	}
	var who Refresher
	switch {
	case se != nil:
		if st.Interval, who, err = ParseSessionExpires(se.Value()); err != nil {
			return SessionTimer{}, false, err
		}
		if st.Interval < p.MinSE {
			return SessionTimer{}, true, nil
		}
	case supports && p.Prefer > 0:
		st.Interval = max(p.Prefer, p.MinSE, theirMin)
	default:
		return SessionTimer{}, false, nil
	}
	switch {
	case who != 0:
		st.Refresher = who
	case supports:
		// Ours to choose: the caller refreshes, so an idle call costs us
		// nothing and a caller that vanished is noticed all the same.
		st.Refresher = RefresherUAC
	default:
		// A caller that does not know timers cannot refresh.
		st.Refresher = RefresherUAS
	}
	st.Require = supports
	return st, false, nil
}

// TimerHeaders are the headers that carry st in a 2xx.
func TimerHeaders(st SessionTimer) []sipmsg.Header {
	if !st.Active() {
		return nil
	}
	hs := []sipmsg.Header{sipmsg.NewHeader("Session-Expires", st.Header())}
	if st.Require {
		hs = append(hs, sipmsg.NewHeader("Require", TagTimer))
	}
	return hs
}

// ParseRAck reads a PRACK's "RSeq CSeq Method" (RFC 3262 section 7.2).
func ParseRAck(v string) (rseq, cseq uint32, method string, err error) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return 0, 0, "", fmt.Errorf("RAck %q: want response number, CSeq number and method", v)
	}
	r, err1 := strconv.ParseUint(f[0], 10, 32)
	c, err2 := strconv.ParseUint(f[1], 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, "", fmt.Errorf("RAck %q: numbers out of range", v)
	}
	return uint32(r), uint32(c), f[2], nil
}
