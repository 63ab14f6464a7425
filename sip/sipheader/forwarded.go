package sipheader

import (
	"slices"
	"strconv"
	"strings"

	sipmsg "github.com/emiago/sipgo/sip"
)

// MaxRedirections bounds the entries read from Diversion and History-Info:
// a real forwarding chain has a handful; more is a malformed or hostile
// request, and the rest is ignored.
const MaxRedirections = 16

// RedirectedFrom lists the numbers a forwarded call was addressed to
// before it reached us, earliest first: the targets of History-Info (RFC
// 7044) in index order, then the diverting numbers of Diversion (RFC 5806),
// whose last entry is the original one. Entries that are not telephone
// numbers are left out.
func RedirectedFrom(req *sipmsg.Request) []string {
	var out []string
	out = append(out, historyTargets(req)...)
	var div []string
	for _, h := range req.GetHeaders("Diversion") {
		for _, part := range splitAddresses(h.Value()) {
			if len(div) >= MaxRedirections {
				break
			}
			if n := AssertedNumber(part); n != "" {
				div = append(div, n)
			}
		}
	}
	slices.Reverse(div) // each redirection adds its entry on top
	return append(out, div...)
}

// historyEntry is one History-Info entry: its target's number and index.
type historyEntry struct {
	number string
	index  []int
}

// historyTargets returns the numbers of the History-Info entries, in index
// order (1, 1.1, 1.1.1, 1.2 ...): the first is where the call was first
// sent. The last entry is usually our own Request-URI.
func historyTargets(req *sipmsg.Request) []string {
	var entries []historyEntry
	for _, h := range req.GetHeaders("History-Info") {
		for _, part := range splitAddresses(h.Value()) {
			if len(entries) >= MaxRedirections {
				break
			}
			uri, params := splitNameAddr(part)
			n := AssertedNumber("<" + uri + ">")
			idx, ok := parseIndex(param(params, "index"))
			if n != "" && ok {
				entries = append(entries, historyEntry{number: n, index: idx})
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b historyEntry) int { return slices.Compare(a.index, b.index) })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.number
	}
	return out
}

// splitNameAddr splits `"name" <uri>;params` into the URI (without its
// headers after ?) and the header parameters.
func splitNameAddr(part string) (uri, params string) {
	l := strings.IndexByte(part, '<')
	r := strings.IndexByte(part, '>')
	if l < 0 || r < l {
		return "", ""
	}
	uri = part[l+1 : r]
	if q := strings.IndexByte(uri, '?'); q >= 0 {
		uri = uri[:q]
	}
	return uri, part[r+1:]
}

// param finds a header parameter's value in ";a=1;b=2".
func param(params, name string) string {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, name) {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// parseIndex reads an RFC 7044 index ("1.1.2") of at most 8 levels.
func parseIndex(s string) ([]int, bool) {
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 8 {
		return nil, false
	}
	idx := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1000 {
			return nil, false
		}
		idx[i] = n
	}
	return idx, true
}
