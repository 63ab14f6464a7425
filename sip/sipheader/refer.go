package sipheader

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Replaces names the dialog an attended transfer replaces (RFC 3891), as
// the transferring phone sees it: ToTag is the tag of the far end (ours,
// when the dialog is one of the phone's calls to us) and FromTag its own.
type Replaces struct {
	CallID  string
	ToTag   string
	FromTag string
}

// ErrBadReplaces: a Replaces value without a Call-ID or with a malformed
// parameter.
var ErrBadReplaces = errors.New("malformed Replaces")

// ParseReplaces reads "callid;to-tag=x;from-tag=y" (already unescaped).
// Both tags are required, as RFC 3891 says; early-only is ignored.
func ParseReplaces(v string) (Replaces, error) {
	parts := strings.Split(v, ";")
	r := Replaces{CallID: strings.TrimSpace(parts[0])}
	if r.CallID == "" {
		return r, fmt.Errorf("%w: no call id in %q", ErrBadReplaces, v)
	}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "to-tag":
			r.ToTag = val
		case "from-tag":
			r.FromTag = val
		case "early-only", "":
		default:
			return r, fmt.Errorf("%w: parameter %q", ErrBadReplaces, k)
		}
	}
	if r.ToTag == "" || r.FromTag == "" {
		return r, fmt.Errorf("%w: missing tag in %q", ErrBadReplaces, v)
	}
	return r, nil
}

// ReferReplaces extracts the Replaces header of a Refer-To URI
// ("<sip:1002@host?Replaces=...>"); ok is false when it has none.
func ReferReplaces(referTo string) (r Replaces, ok bool, err error) {
	v := referTo
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v, '>'); j > i {
			v = v[i+1 : j]
		}
	}
	_, headers, _ := strings.Cut(v, "?")
	for _, kv := range strings.Split(headers, "&") {
		k, val, _ := strings.Cut(kv, "=")
		if !strings.EqualFold(k, "Replaces") {
			continue
		}
		dec, err := url.QueryUnescape(val)
		if err != nil {
			return r, true, fmt.Errorf("%w: %v", ErrBadReplaces, err)
		}
		r, err = ParseReplaces(dec)
		return r, true, err
	}
	return r, false, nil
}

// ParseReferTo reads the target user and the Call-ID of the Replaces in
// a Refer-To such as "<sip:1002@host?Replaces=callid%3Bto-tag%3Dx%3Bfrom-tag%3Dy>".
func ParseReferTo(v string) (target, replaces string, err error) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v, '>')
		if j < i {
			return "", "", fmt.Errorf("refer-to %q", v)
		}
		v = v[i+1 : j]
	}
	uri, headers, _ := strings.Cut(v, "?")
	var u sipmsg.Uri
	if err := sipmsg.ParseUri(uri, &u); err != nil || u.User == "" {
		return "", "", fmt.Errorf("refer-to %q: %v", v, err)
	}
	for _, kv := range strings.Split(headers, "&") {
		k, val, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, "Replaces") {
			dec, err := url.QueryUnescape(val)
			if err != nil {
				return "", "", err
			}
			replaces, _, _ = strings.Cut(dec, ";")
		}
	}
	return u.User, replaces, nil
}
