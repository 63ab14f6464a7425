package benchkit

import (
	"strings"
	"testing"
)

func TestParseSIPpStats(t *testing.T) {
	csv := "StartTime;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);\n" +
		"2026-11-23\t13:39:25;20;0;0;0;0;\n" +
		"2026-11-23\t13:39:29;0;5;998;1;2;\n"
	ok, failed, err := ParseStats(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if ok != 998 || failed != 2 {
		t.Errorf("successful %d failed %d, want the cumulative 998 and 2", ok, failed)
	}
	if _, _, err := ParseStats(strings.NewReader("StartTime;FailedCall(C);\n")); err == nil {
		t.Error("header only parsed")
	}
	if _, _, err := ParseStats(strings.NewReader("A;B;\n1;2;\n")); err == nil {
		t.Error("missing columns parsed")
	}
}
