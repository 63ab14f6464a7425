package rtpstats

import (
	"testing"
	"time"
)

func TestNTPTime(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 500_000_000, time.UTC)
	ntp := NTPTime(ts)
	if secs := ntp >> 32; secs != uint64(ts.Unix())+2208988800 {
		t.Fatalf("seconds = %d", secs)
	}
	if frac := uint32(ntp); frac != 1<<31 {
		t.Fatalf("fraction = %#x, want half a second", frac)
	}
}
