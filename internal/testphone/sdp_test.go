package testphone

import (
	"errors"
	"strings"
	"testing"
)

func TestBuildSDPOfferListsCodecsEventsAndDirection(t *testing.T) {
	codecs, err := resolveCodecs(nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := buildSDP(offerParams{
		sessionID: 42, version: 3, ip: "127.0.0.1", port: 40000,
		codecs: codecs, dtmfPT: 101, direction: DirSendOnly,
	})
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	for _, line := range []string{
		"o=- 42 3 IN IP4 127.0.0.1",
		"c=IN IP4 127.0.0.1",
		"m=audio 40000 RTP/AVP 0 8 101",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
		"a=ptime:20",
		"a=sendonly",
	} {
		if !strings.Contains(text, line+"\r\n") {
			t.Errorf("offer lacks %q:\n%s", line, text)
		}
	}
}

func TestParseAnswerPicksFirstOfferedCodec(t *testing.T) {
	answer := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
		"m=audio 5004 RTP/AVP 18 8 0 96\r\nc=IN IP4 10.0.0.2\r\n" +
		"a=rtpmap:96 telephone-event/8000\r\na=recvonly\r\n"
	offered := []codecSpec{knownCodecs["PCMU"], knownCodecs["PCMA"]}
	got, err := parseAnswer([]byte(answer), offered)
	if err != nil {
		t.Fatal(err)
	}
	want := remoteMedia{ip: "10.0.0.2", port: 5004, payloadType: 8, codec: "PCMA", dtmfPT: 96, direction: DirRecvOnly}
	if got != want {
		t.Errorf("parseAnswer = %+v, want %+v", got, want)
	}
}

func TestParseAnswerDefaultsAndSessionLevelValues(t *testing.T) {
	answer := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=inactive\r\n" +
		"m=video 6000 RTP/AVP 31\r\nm=audio 5004 RTP/AVP 0\r\n"
	got, err := parseAnswer([]byte(answer), []codecSpec{knownCodecs["PCMU"]})
	if err != nil {
		t.Fatal(err)
	}
	if got.ip != "10.0.0.1" || got.direction != DirInactive || got.dtmfPT != 0 || got.codec != "PCMU" {
		t.Errorf("parseAnswer = %+v", got)
	}
	noDir := strings.Replace(answer, "a=inactive\r\n", "", 1)
	if got, _ := parseAnswer([]byte(noDir), []codecSpec{knownCodecs["PCMU"]}); got.direction != DirSendRecv {
		t.Errorf("default direction = %q, want sendrecv", got.direction)
	}
}

func TestParseAnswerErrors(t *testing.T) {
	pcmu := []codecSpec{knownCodecs["PCMU"]}
	head := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	cases := map[string]struct {
		body string
		want error
	}{
		"no common codec": {head + "m=audio 5004 RTP/AVP 8\r\n", ErrNoCommonCodec},
		"rejected stream": {head + "m=audio 0 RTP/AVP 0\r\n", ErrNoAudio},
		"video only":      {head + "m=video 5004 RTP/AVP 31\r\n", ErrNoAudio},
	}
	for name, tc := range cases {
		if _, err := parseAnswer([]byte(tc.body), pcmu); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if _, err := parseAnswer([]byte("not sdp"), pcmu); err == nil {
		t.Error("garbage SDP parsed without error")
	}
}

func TestAnswerDirectionMirrorsOffer(t *testing.T) {
	for offer, want := range map[string]string{
		DirSendOnly: DirRecvOnly, DirRecvOnly: DirSendOnly,
		DirInactive: DirInactive, DirSendRecv: DirSendRecv,
	} {
		if got := answerDirection(offer); got != want {
			t.Errorf("answerDirection(%s) = %s, want %s", offer, got, want)
		}
	}
}

func TestResolveCodecs(t *testing.T) {
	specs, err := resolveCodecs([]string{"pcma", "G729"})
	if err != nil || len(specs) != 2 || specs[0].payloadType != 8 || specs[1].payloadType != 18 {
		t.Errorf("resolveCodecs = %+v, %v", specs, err)
	}
	if specs, err := resolveCodecs([]string{"none"}); err != nil || len(specs) != 0 {
		t.Errorf(`resolveCodecs("none") = %+v, %v`, specs, err)
	}
	if _, err := resolveCodecs([]string{"AMR"}); err == nil {
		t.Error("unknown codec accepted")
	}
}
