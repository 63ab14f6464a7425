package app

import (
	"strings"
	"testing"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
)

// TestSIPpEarlyMediaThroughTheServer: a number configured in the long form
// with early_media gets a reliable 183, hears the announcement, and is
// answered into its flow (test/sipp/early_media.xml; SIPp hangs up).
func TestSIPpEarlyMediaThroughTheServer(t *testing.T) {
	sipp := needSIPp(t)
	h := start(t, sippConfig, func(c *config.Config) {
		c.NumberOptions = map[string]config.NumberOptions{"95598": {EarlyMedia: "digit_3"}}
	})
	run := runSIPp(t, sipp, h, "early_media.xml", "-rtp_echo")
	run.requireSuccess(t)
	id := h.events.onlyCallID(t)
	end := h.events.waitEnd(t, id)
	if end.HangupBy != call.HangupByCaller {
		t.Errorf("end: %s by %s (%s), want the caller's hang-up", end.Result, end.HangupBy, end.Reason)
	}
	if !strings.Contains(run.log("messages.log"), "SIP/2.0 183 Session Progress") {
		t.Error("no 183 Session Progress in SIPp's trace")
	}
}

// TestEarlyMediaPromptMustExist: an early_media prompt missing in the
// default language stops the server before it starts, naming the number.
func TestEarlyMediaPromptMustExist(t *testing.T) {
	cfg, err := config.Parse("f.yaml", []byte("numbers:\n  \"95598\": {flow: main, early_media: no_such_prompt}\n"+
		"languages: [en]\ndefault_language: en\nflows:\n  main:\n    start: bye\n    nodes:\n      bye: {type: hangup}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	_, err = Prepare(cfg, nil)
	if err == nil || !strings.Contains(err.Error(), `f.yaml:2:`) ||
		!strings.Contains(err.Error(), `numbers.95598.early_media: prompt "no_such_prompt" missing for language en`) {
		t.Fatalf("got %v", err)
	}
}
