package app

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// stormSDP is a caller's offer; {local} in a message is replaced by the
// sending socket's address when it is sent.
const stormSDP = "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 9 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n"

// stormRequest is a well-formed request; n makes its branch and Call-ID
// unique so no two storm messages look like retransmissions.
func stormRequest(n int, method, uri, body string, extra ...string) string {
	lines := []string{
		method + " " + uri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP {local};branch=z9hG4bKstorm%d;rport", n),
		fmt.Sprintf("From: <sip:1390000%04d@127.0.0.1>;tag=s%d", n%10000, n),
		"To: <" + uri + ">",
		fmt.Sprintf("Call-ID: storm-%d@127.0.0.1", n),
		"CSeq: 1 " + method,
		"Max-Forwards: 70",
		"Contact: <sip:storm@{local}>",
	}
	lines = append(lines, extra...)
	if body != "" {
		lines = append(lines, "Content-Type: application/sdp")
	}
	lines = append(lines, fmt.Sprintf("Content-Length: %d", len(body)))
	return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
}

// stormCatalog is one message of each malformed kind (after the kinds of
// RFC 4475), numbered from n.
func stormCatalog(n int, server string) []string {
	hot := "sip:95598@" + server
	invite := func() string { n++; return stormRequest(n, "INVITE", hot, stormSDP) }
	req := func(method, uri, body string, extra ...string) string {
		n++
		return stormRequest(n, method, uri, body, extra...)
	}
	drop := func(msg, header string) string {
		var keep []string
		for _, l := range strings.Split(msg, "\r\n") {
			if !strings.HasPrefix(l, header+":") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\r\n")
	}
	setLength := func(msg, value string) string {
		i := strings.Index(msg, "Content-Length: ")
		j := strings.Index(msg[i:], "\r\n")
		return msg[:i] + "Content-Length: " + value + msg[i+j:]
	}
	return []string{
		setLength(invite(), "9999"), setLength(invite(), "12"), setLength(invite(), "-1"), setLength(invite(), "lots"),
		drop(invite(), "Via"), drop(invite(), "From"), drop(invite(), "To"), drop(invite(), "Call-ID"), drop(invite(), "CSeq"),
		req("INVITE", hot, stormSDP, "CSeq: 2 INVITE", "Call-ID: another@127.0.0.1"),
		req("OPTIONS", hot, "", "Subject: "+strings.Repeat("h", 60*1024)),
		req("INVITE", "sip:%39%35%35%39%37@"+server, stormSDP),
		req("INVITE", "sip:95597;x=%00@"+server+";user=phone", stormSDP),
		req("INVITE", "sip:@", stormSDP),
		req("BREW", hot, ""),
		strings.ReplaceAll(invite(), "\r\n", "\n"),
		invite()[:120], invite()[:len(stormSDP)],
		strings.Replace(invite(), "Max-Forwards: 70", "Max-Forwards: 7\x000", 1),
		strings.Replace(invite(), "v=0", "v=\x00\x00", 1),
		strings.Replace(invite(), "CSeq: 1 INVITE", "CSeq: 1 BYE", 1),
		strings.Replace(invite(), "CSeq: 1 INVITE", "CSeq: 99999999999 INVITE", 1),
		strings.Replace(invite(), "m=audio 9 RTP/AVP 0 8 101", "m=audio 9 RTP/AVP 18", 1),
		strings.Replace(invite(), "m=audio 9", "m=audio 70000", 1),
		strings.Replace(invite(), "To: <"+hot+">", "To: <"+hot+">;tag=gone", 1),
		req("BYE", hot, ""), req("CANCEL", hot, ""), req("ACK", hot, ""),
		req("INFO", hot, "", "Content-Type: application/dtmf-relay"),
		req("REFER", hot, "", "Refer-To: <sip:95598@127.0.0.1>"),
		req("REGISTER", "sip:"+server, "", `Authorization: Digest username="1001", realm="hotline", nonce="zz", uri="x", response="0"`),
		req("NOTIFY", hot, "", "Event: refer"),
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKx\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		"\x00\x00\x00\x00",
		"\r\n\r\n",
		"INVITE sip:95598@" + server + " SIP/2.0\r\n",
		"NOT SIP AT ALL",
	}
}

// stormMessages returns n messages: the malformed catalog, then mutated
// copies of valid requests (random byte flips from a fixed seed, so a
// failure reproduces). Mutated INVITEs come last: answered ones need an
// ACK, which only the UDP sender gives.
func stormMessages(server string, n int) []string {
	out := stormCatalog(0, server)
	rng := rand.New(rand.NewPCG(4475, 8))
	mutate := func(msg string) string {
		b := []byte(msg)
		for range 1 + rng.IntN(4) {
			switch i := rng.IntN(len(b)); rng.IntN(3) {
			case 0:
				b[i] ^= byte(1 << rng.IntN(8))
			case 1:
				b[i] = byte(rng.IntN(256))
			default:
				b = append(b[:i], b[min(i+1+rng.IntN(8), len(b)):]...) // delete a few bytes
			}
		}
		return string(b)
	}
	hot := "sip:95598@" + server
	others := []string{"OPTIONS", "REGISTER", "INFO", "BYE", "NOTIFY"}
	for i := 0; len(out) < n*2/3; i++ {
		method := others[i%len(others)]
		out = append(out, mutate(stormRequest(1000+i, method, hot, "")))
	}
	for i := 0; len(out) < n; i++ {
		out = append(out, mutate(stormRequest(2000+i, "INVITE", hot, stormSDP)))
	}
	return out
}
