package sip

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
	tag100rel = "100rel"
	tagTimer  = "timer"
	// supported is our Supported header value on answers to callers.
	supported = "100rel, timer"
)

// Session timer defaults (RFC 4028). DefaultMinSE is the smallest interval
// the RFC allows (section 4); DefaultSessionExpires is the interval we ask
// for when the caller supports timers but requested none (its
// recommended value, section 4).
const (
	DefaultMinSE          = 90 * time.Second
	DefaultSessionExpires = 1800 * time.Second
)

// errBadSessionExpires is a Session-Expires or Min-SE header we cannot read.
var errBadSessionExpires = errors.New("malformed session timer header")

// headerValues returns the comma-separated items of every header named
// long or its compact form short (empty: none), trimmed.
func headerValues(msg sipmsg.Message, long, short string) []string {
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

// hasTag reports whether a Supported/Require-style header lists tag.
func hasTag(msg sipmsg.Message, long, short, tag string) bool {
	for _, v := range headerValues(msg, long, short) {
		if strings.EqualFold(v, tag) {
			return true
		}
	}
	return false
}

// unsupportedRequire lists the option tags a request requires that we do
// not implement; such a request gets 420 Bad Extension (RFC 3261 8.2.2.3).
func unsupportedRequire(req *sipmsg.Request) []string {
	var out []string
	for _, v := range headerValues(req, "Require", "") {
		if !strings.EqualFold(v, tag100rel) && !strings.EqualFold(v, tagTimer) {
			out = append(out, v)
		}
	}
	return out
}

// allowsMethod reports whether msg's Allow header lists method.
func allowsMethod(msg sipmsg.Message, method string) bool {
	for _, v := range headerValues(msg, "Allow", "") {
		if strings.EqualFold(v, method) {
			return true
		}
	}
	return false
}

// refresher says which side of the caller's dialog refreshes the session.
type refresher uint8

const (
	refresherUAC refresher = iota + 1 // the caller
	refresherUAS                      // we do
)

func (r refresher) String() string {
	if r == refresherUAS {
		return "uas"
	}
	return "uac"
}

// sessionTimer is a negotiated session timer: the interval within which a
// refresh must come, and who sends it. The zero value means no timer.
type sessionTimer struct {
	interval  time.Duration
	refresher refresher
	// require puts Require: timer in our answers (the caller supports
	// timers, RFC 4028 section 9).
	require bool
}

func (s sessionTimer) active() bool { return s.interval > 0 }

// header is our Session-Expires value.
func (s sessionTimer) header() string {
	return fmt.Sprintf("%d;refresher=%s", int(s.interval/time.Second), s.refresher)
}

// expiryWait is how long the side that does not refresh waits for a
// refresh before it ends the session: the interval minus a third of it, at
// most 32 s (RFC 4028 section 10).
func (s sessionTimer) expiryWait() time.Duration {
	return s.interval - min(32*time.Second, s.interval/3)
}

// refreshWait is when the refresher refreshes: half the interval (RFC
// 4028 section 7.2 recommends it).
func (s sessionTimer) refreshWait() time.Duration { return s.interval / 2 }

// timerPolicy is our side of the negotiation.
type timerPolicy struct {
	minSE   time.Duration // the smallest interval we accept
	prefer  time.Duration // the interval we ask for; 0: only honour the caller's
	disable bool          // never use session timers
}

// parseSessionExpires reads "1800;refresher=uac".
func parseSessionExpires(v string) (time.Duration, refresher, error) {
	delta, params, _ := strings.Cut(v, ";")
	n, err := strconv.ParseUint(strings.TrimSpace(delta), 10, 32)
	if err != nil || n == 0 {
		return 0, 0, fmt.Errorf("%w: Session-Expires %q", errBadSessionExpires, v)
	}
	var who refresher
	for _, p := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(k, "refresher") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "uac":
			who = refresherUAC
		case "uas":
			who = refresherUAS
		default:
			return 0, 0, fmt.Errorf("%w: refresher %q", errBadSessionExpires, val)
		}
	}
	return time.Duration(n) * time.Second, who, nil
}

// negotiateTimer applies RFC 4028 section 9 to a caller's INVITE (or a
// refresh): it returns the timer to use, or tooSmall when the requested
// interval is below our Min-SE (answer 422 with Min-SE), or an error for a
// malformed header (answer 400).
func negotiateTimer(req *sipmsg.Request, p timerPolicy) (st sessionTimer, tooSmall bool, err error) {
	if p.disable {
		return sessionTimer{}, false, nil
	}
	supports := hasTag(req, "Supported", "k", tagTimer) || hasTag(req, "Require", "", tagTimer)
	theirMin := time.Duration(0)
	if h := req.GetHeader("Min-SE"); h != nil {
		v, _, _ := strings.Cut(h.Value(), ";")
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return sessionTimer{}, false, fmt.Errorf("%w: Min-SE %q", errBadSessionExpires, h.Value())
		}
		theirMin = time.Duration(n) * time.Second
	}
	se := req.GetHeader("Session-Expires")
	if se == nil {
		se = req.GetHeader("x")
	}
	var who refresher
	switch {
	case se != nil:
		if st.interval, who, err = parseSessionExpires(se.Value()); err != nil {
			return sessionTimer{}, false, err
		}
		if st.interval < p.minSE {
			return sessionTimer{}, true, nil
		}
	case supports && p.prefer > 0:
		st.interval = max(p.prefer, p.minSE, theirMin)
	default:
		return sessionTimer{}, false, nil
	}
	switch {
	case who != 0:
		st.refresher = who
	case supports:
		// Ours to choose: the caller refreshes, so an idle call costs us
		// nothing and a caller that vanished is noticed all the same.
		st.refresher = refresherUAC
	default:
		// A caller that does not know timers cannot refresh.
		st.refresher = refresherUAS
	}
	st.require = supports
	return st, false, nil
}

// timerHeaders are the headers that carry st in a 2xx.
func timerHeaders(st sessionTimer) []sipmsg.Header {
	if !st.active() {
		return nil
	}
	hs := []sipmsg.Header{sipmsg.NewHeader("Session-Expires", st.header())}
	if st.require {
		hs = append(hs, sipmsg.NewHeader("Require", tagTimer))
	}
	return hs
}

// parseRAck reads a PRACK's "RSeq CSeq Method" (RFC 3262 section 7.2).
func parseRAck(v string) (rseq, cseq uint32, method string, err error) {
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
