package srtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func mustCrypto(value string) SDESKey {
	k, err := ParseCrypto(value)
	if err != nil {
		panic(err)
	}
	return k
}

// rfcKey is the key of the example in RFC 4568 section 9.1.
const rfcKey = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"

func TestParseCrypto(t *testing.T) {
	raw, _ := base64.StdEncoding.DecodeString(rfcKey)
	cases := []struct {
		in    string
		tag   int
		suite CryptoSuite
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey, 1, AESCM128HMACSHA1_80},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + "|2^20", 1, AESCM128HMACSHA1_80},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + "|1048576", 1, AESCM128HMACSHA1_80},
		{"7 AES_CM_128_HMAC_SHA1_32 inline:" + rfcKey, 7, AESCM128HMACSHA1_32},
		{"  2   AES_CM_128_HMAC_SHA1_80   inline:" + rfcKey + " ", 2, AESCM128HMACSHA1_80},
	}
	for _, tc := range cases {
		k, err := ParseCrypto(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if k.Tag != tc.tag || k.Suite != tc.suite || !bytes.Equal(k.KeySalt[:], raw) {
			t.Fatalf("%q: got tag %d suite %s", tc.in, k.Tag, k.Suite)
		}
	}
}

func TestParseCryptoErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80", ErrBadCrypto},
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey, ErrBadCrypto},
		{"-1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey, ErrBadCrypto},
		{"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey, ErrBadCrypto},
		{"1 F8_128_HMAC_SHA1_80 inline:" + rfcKey, ErrNoCryptoSuite},
		{"1 AES_256_CM_HMAC_SHA1_80 inline:" + rfcKey, ErrNoCryptoSuite},
		{"1 AES_CM_128_HMAC_SHA1_80 uri:" + rfcKey, ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64", ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + "|2^20|1:4", ErrNoCryptoSuite},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + "|2^x", ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + "||", ErrBadCrypto},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + ";inline:" + rfcKey, ErrNoCryptoSuite},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + " UNENCRYPTED_SRTP", ErrNoCryptoSuite},
	}
	for _, tc := range cases {
		if _, err := ParseCrypto(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.want)
		}
	}
}

func TestCryptoFormatRoundTrip(t *testing.T) {
	for _, suite := range []CryptoSuite{AESCM128HMACSHA1_80, AESCM128HMACSHA1_32} {
		k, err := NewSDESKey(3, suite)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseCrypto(k.Attribute())
		if err != nil || back != k {
			t.Fatalf("%s: %q parses to %v, %v", suite, k.Attribute(), back, err)
		}
		other, _ := NewSDESKey(3, suite)
		if other.KeySalt == k.KeySalt {
			t.Fatal("two fresh keys are equal")
		}
	}
	if _, err := NewSDESKey(1, SuiteNone); !errors.Is(err, ErrNoCryptoSuite) {
		t.Fatalf("no suite: %v", err)
	}
}

func TestCryptoNeverLogged(t *testing.T) {
	k, _ := NewSDESKey(1, AESCM128HMACSHA1_80)
	secret := base64.StdEncoding.EncodeToString(k.KeySalt[:])
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Debug("negotiated", "key", k, "keys", Keys{Local: k, Remote: k})
	out := buf.String() + fmt.Sprint(k) + fmt.Sprintf("%v %s", k, k)
	if strings.Contains(out, secret) {
		t.Fatalf("key material in %q", out)
	}
	body := []byte("m=audio 4000 RTP/SAVP 0\r\na=crypto:" + k.Attribute() + "\r\n")
	red := RedactSDP(body)
	if bytes.Contains(red, []byte(secret)) || !bytes.Contains(red, []byte("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<redacted>")) {
		t.Fatalf("redacted body %q", red)
	}
	plain := []byte("m=audio 4000 RTP/AVP 0\r\n")
	if !bytes.Equal(RedactSDP(plain), plain) {
		t.Fatal("a body without keys changed")
	}
}

func FuzzParseCrypto(f *testing.F) {
	for _, seed := range []string{
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey,
		"2 AES_CM_128_HMAC_SHA1_32 inline:" + rfcKey + "|2^20|1:4",
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfcKey + " KDR=1",
		"", "1", "x y z",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		k, err := ParseCrypto(value)
		if err != nil {
			if !errors.Is(err, ErrBadCrypto) && !errors.Is(err, ErrNoCryptoSuite) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// Whatever we accept, we write back in a form we accept again.
		back, err := ParseCrypto(k.Attribute())
		if err != nil || back != k {
			t.Fatalf("%q: round trip gives %v, %v", value, back, err)
		}
		if strings.Contains(k.String(), base64.StdEncoding.EncodeToString(k.KeySalt[:])) {
			t.Fatal("String shows the key")
		}
	})
}
