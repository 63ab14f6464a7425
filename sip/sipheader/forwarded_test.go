package sipheader

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/sip/internal/siptest"
)

func TestRedirectedFromBounds(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("<sip:2155500000@c>;index=1")
	}
	req := siptest.TrunkInvite("10.0.0.1:5060", "95598", "History-Info", b.String(), "Diversion", b.String())
	if got := len(RedirectedFrom(req)); got != 2*MaxRedirections {
		t.Fatalf("%d entries read, want at most %d per header", got, MaxRedirections)
	}
	for _, bad := range []string{"", "1..2", "a", "1.2.3.4.5.6.7.8.9", "-1", "99999"} {
		if _, ok := parseIndex(bad); ok {
			t.Errorf("index %q accepted", bad)
		}
	}
}
