package sipstatus

import (
	"fmt"
	"testing"

	"github.com/hotline-oss/hotline/media/sdp"
	"github.com/hotline-oss/hotline/media/srtp"
)

func TestRefusalReason(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("number 95599: %w", ErrSRTPRequired), "srtp_required"},
		{fmt.Errorf("%w: AEAD_AES_256_GCM", srtp.ErrNoCryptoSuite), "no_crypto_suite"},
		{sdp.ErrNoCommonCodec, "no_common_codec"},
	}
	for _, tc := range cases {
		if got := RefusalReason(488, tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
