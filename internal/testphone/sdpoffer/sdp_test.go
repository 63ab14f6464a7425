package sdpoffer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBuildSDPOfferListsCodecsEventsAndDirection(t *testing.T) {
	codecs := []Codec{knownCodecs["PCMU"], knownCodecs["PCMA"]} // the phone's default
	body, err := Build(Params{
		SessionID: 42, Version: 3, IP: "127.0.0.1", Port: 40000,
		Codecs: codecs, DTMFPT: 101, Direction: DirSendOnly,
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
	offered := []Codec{knownCodecs["PCMU"], knownCodecs["PCMA"]}
	got, err := Parse([]byte(answer), offered)
	if err != nil {
		t.Fatal(err)
	}
	want := Remote{IP: "10.0.0.2", Port: 5004, PayloadType: 8, Codec: "PCMA", DTMFPT: 96, Direction: DirRecvOnly}
	if got != want {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
}

func TestParseAnswerDefaultsAndSessionLevelValues(t *testing.T) {
	answer := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\na=inactive\r\n" +
		"m=video 6000 RTP/AVP 31\r\nm=audio 5004 RTP/AVP 0\r\n"
	got, err := Parse([]byte(answer), []Codec{knownCodecs["PCMU"]})
	if err != nil {
		t.Fatal(err)
	}
	if got.IP != "10.0.0.1" || got.Direction != DirInactive || got.DTMFPT != 0 || got.Codec != "PCMU" {
		t.Errorf("Parse = %+v", got)
	}
	noDir := strings.Replace(answer, "a=inactive\r\n", "", 1)
	if got, _ := Parse([]byte(noDir), []Codec{knownCodecs["PCMU"]}); got.Direction != DirSendRecv {
		t.Errorf("default direction = %q, want sendrecv", got.Direction)
	}
}

func TestParseAnswerErrors(t *testing.T) {
	pcmu := []Codec{knownCodecs["PCMU"]}
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
		if _, err := Parse([]byte(tc.body), pcmu); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if _, err := Parse([]byte("not sdp"), pcmu); err == nil {
		t.Error("garbage SDP parsed without error")
	}
}

func TestAnswerDirectionMirrorsOffer(t *testing.T) {
	for offer, want := range map[string]string{
		DirSendOnly: DirRecvOnly, DirRecvOnly: DirSendOnly,
		DirInactive: DirInactive, DirSendRecv: DirSendRecv,
	} {
		if got := AnswerDirection(offer); got != want {
			t.Errorf("AnswerDirection(%s) = %s, want %s", offer, got, want)
		}
	}
}

func TestSRTPOffer(t *testing.T) {
	sdp, err := Build(Params{SessionID: 1, Version: 1, IP: "127.0.0.1", Port: 4000,
		Codecs: []Codec{knownCodecs["PCMU"]}, Direction: DirSendRecv, Crypto: "1 AES_CM_128_HMAC_SHA1_80 inline:abc"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sdp, []byte("m=audio 4000 RTP/SAVP 0")) || !bytes.Contains(sdp, []byte("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc")) {
		t.Fatalf("%s", sdp)
	}
	remote, err := Parse(sdp, []Codec{knownCodecs["PCMU"]})
	if err != nil || remote.Crypto != "1 AES_CM_128_HMAC_SHA1_80 inline:abc" {
		t.Fatalf("%+v %v", remote, err)
	}
}

func TestAnswerPicksCodecAndMirrorsDirection(t *testing.T) {
	remote := Remote{IP: "10.0.0.2", Port: 5004, PayloadType: 8, Codec: "PCMA", DTMFPT: 96, Direction: DirSendOnly}
	body, err := Answer(remote, Params{SessionID: 7, Version: 2, IP: "127.0.0.1", Port: 4000, DTMFPT: 96,
		Codecs: []Codec{knownCodecs["PCMU"]}, Direction: DirSendRecv})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(body, []Codec{knownCodecs["PCMU"], knownCodecs["PCMA"]})
	want := Remote{IP: "127.0.0.1", Port: 4000, PayloadType: 8, Codec: "PCMA", DTMFPT: 96, Direction: DirRecvOnly}
	if err != nil || got != want {
		t.Errorf("answer read back as %+v, %v; want %+v", got, err, want)
	}
	if _, err := Answer(Remote{Codec: "AMR"}, Params{}); err == nil {
		t.Error("answered with an unknown codec")
	}
}
