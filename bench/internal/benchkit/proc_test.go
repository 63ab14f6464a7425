package benchkit

import (
	"os"
	"testing"
)

func TestParseRSSKB(t *testing.T) {
	status := "Name:\thotline\nVmPeak:\t  900000 kB\nVmRSS:\t   81234 kB\nThreads:\t9\n"
	got, err := ParseRSSKB([]byte(status))
	if err != nil || got != 81234 {
		t.Errorf("VmRSS = %d, %v; want 81234", got, err)
	}
	if _, err := ParseRSSKB([]byte("Name:\tkthread\n")); err == nil {
		t.Error("status without VmRSS parsed")
	}
	if _, err := ParseRSSKB([]byte("VmRSS:\t lots kB\n")); err == nil {
		t.Error("non-numeric VmRSS parsed")
	}
}

func TestReadRSSKBOwnProcess(t *testing.T) {
	if rss, err := ReadRSSKB(os.Getpid()); err != nil || rss == 0 {
		t.Fatalf("rss %d, %v", rss, err)
	}
}
