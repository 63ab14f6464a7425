package testphone

import (
	"testing"

	"github.com/hotline-oss/hotline/internal/testphone/sdpoffer"
)

// knownCodec is a codec the fake peers of these tests offer or answer by
// name; the names are fixed, so a miss is a broken test.
func knownCodec(name string) sdpoffer.Codec {
	c, err := sdpoffer.Lookup(name)
	if err != nil {
		panic(err)
	}
	return c
}

func TestResolveCodecs(t *testing.T) {
	specs, err := resolveCodecs([]string{"pcma", "G729"})
	if err != nil || len(specs) != 2 || specs[0].PayloadType != 8 || specs[1].PayloadType != 18 {
		t.Errorf("resolveCodecs = %+v, %v", specs, err)
	}
	if specs, err := resolveCodecs([]string{"none"}); err != nil || len(specs) != 0 {
		t.Errorf(`resolveCodecs("none") = %+v, %v`, specs, err)
	}
	if _, err := resolveCodecs([]string{"AMR"}); err == nil {
		t.Error("unknown codec accepted")
	}
	// The default offer is PCMU then PCMA (the order the SDP lists them in).
	if specs, err := resolveCodecs(nil); err != nil || len(specs) != 2 || specs[0].Name != "PCMU" || specs[1].Name != "PCMA" {
		t.Errorf("resolveCodecs(nil) = %+v, %v", specs, err)
	}
}
