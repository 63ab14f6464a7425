package sipheader

import (
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// AssertedIdentity is the first number of P-Asserted-Identity, else of a
// Remote-Party-ID naming the calling party (party=calling, the default),
// else "".
func AssertedIdentity(req *sipmsg.Request) string {
	for _, h := range req.GetHeaders("P-Asserted-Identity") {
		if n := AssertedNumber(h.Value()); n != "" {
			return n
		}
	}
	for _, h := range req.GetHeaders("Remote-Party-ID") {
		for _, part := range splitAddresses(h.Value()) {
			_, params := splitNameAddr(part)
			if p := param(params, "party"); p != "" && !strings.EqualFold(p, "calling") {
				continue
			}
			if n := AssertedNumber(part); n != "" {
				return n
			}
		}
	}
	return ""
}

// AssertedNumber takes the number out of a P-Asserted-Identity value: one
// or more name-addrs or addr-specs, separated by commas, each a sip, sips
// or tel URI. It returns the first number found, without the visual
// separators tel URIs allow (RFC 3966), or "".
func AssertedNumber(value string) string {
	for _, part := range splitAddresses(value) {
		uri := strings.TrimSpace(part)
		if l := strings.IndexByte(uri, '<'); l >= 0 {
			r := strings.IndexByte(uri[l:], '>')
			if r < 0 {
				continue
			}
			uri = uri[l+1 : l+r]
		}
		scheme, rest, ok := strings.Cut(uri, ":")
		if !ok {
			continue
		}
		user := ""
		switch strings.ToLower(strings.TrimSpace(scheme)) {
		case "tel":
			user, _, _ = strings.Cut(rest, ";")
		case "sip", "sips":
			var hasHost bool
			user, _, hasHost = strings.Cut(rest, "@")
			if !hasHost {
				continue
			}
			user, _, _ = strings.Cut(user, ";")
		default:
			continue
		}
		if n := StripVisual(user); n != "" {
			return n
		}
	}
	return ""
}

// splitAddresses splits a header value at the commas outside quotes and
// angle brackets.
func splitAddresses(value string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case c == ',' && depth == 0:
			out = append(out, value[start:i])
			start = i + 1
		}
	}
	return append(out, value[start:])
}

// StripVisual drops the visual separators of a telephone number and
// returns "" when anything else than digits (after an optional leading +)
// is left.
func StripVisual(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return ""
		}
	}
	if n := b.String(); n != "+" {
		return n
	}
	return ""
}
