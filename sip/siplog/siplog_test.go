package siplog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestSDESKeysNeverReachSipgoLogs(t *testing.T) {
	var buf bytes.Buffer
	log := Quiet(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	secret := "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	log.Error("failed to parse", "data", "INVITE ...\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+secret+"\r\n", "error", "bad")
	log.Debug("plain", "data", "m=audio 4000 RTP/AVP 0")
	out := buf.String()
	if strings.Contains(out, secret) || !strings.Contains(out, "inline:<redacted>") || !strings.Contains(out, "RTP/AVP") {
		t.Fatalf("log: %s", out)
	}
}

func TestMaskNumber(t *testing.T) {
	for in, want := range map[string]string{"13800001234": "*******1234", "110": "***", "": ""} {
		if got := MaskNumber(in); got != want {
			t.Errorf("MaskNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
