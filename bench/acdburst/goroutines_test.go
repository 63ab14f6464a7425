package acdburst

import (
	"runtime"
	"testing"
)

func TestSplitStackDumpCountsPhoneGoroutines(t *testing.T) {
	dump := []byte(`goroutine 1 [running]:
main.main()
	/src/main.go:10 +0x1

goroutine 7 [IO wait]:
github.com/hotline-oss/hotline/internal/testphone.(*mediaSession).recvLoop(0xc000)
	/src/internal/testphone/media.go:191 +0x8a
created by github.com/hotline-oss/hotline/internal/testphone.(*mediaSession).start in goroutine 6

goroutine 9 [select]:
github.com/hotline-oss/hotline/media.(*Stream).readLoop(0xc000)
	/src/media/stream_recv.go:47 +0xa5
`)
	got := splitStackDump(dump, []byte(phoneMarker))
	if got.Total != 3 || got.Phones != 1 || got.Server() != 2 {
		t.Errorf("split = %+v (server %d), want 3 in all, 1 phone", got, got.Server())
	}
}

func TestSplitGoroutinesSeesThisProcess(t *testing.T) {
	got := splitGoroutines()
	if got.Total < 1 || got.Phones != 0 {
		t.Errorf("split = %+v; NumGoroutine %d, and no phone runs here", got, runtime.NumGoroutine())
	}
}
