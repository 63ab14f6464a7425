package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
)

// baresipTLSModules adds baresip's SDES module to the usual set.
var baresipTLSModules = append([]string{"srtp.so"}, baresipModules...)

// TestBaresipTLSAgentWithMandatorySRTP puts baresip in the agent's seat
// over SIP/TLS with mediaenc=srtp-mand, as a site that requires encryption
// would configure it: the server's TLS certificate is its CA file, and
// agent 1001 is configured require_secure, so the server refuses its
// softphone over UDP and offers its calls RTP/SAVP only. The caller is the
// Go test phone, also on TLS + SRTP (SIPp's TLS needs an OpenSSL build).
//
// What this proves:
//   - a real softphone registers over TLS with digest, logs in with *21
//     (its own SRTP offer is answered) and is rung over the TLS
//     connection it opened: the server never dials a new one;
//   - baresip, which refuses unencrypted media, answers our SAVP offer, so
//     its SDES answer is one we parse and key;
//   - audio both ways through two SRTP legs: the caller decrypts the
//     agent's 1 kHz tone, and baresip's recording holds the caller's 500 Hz
//     tone;
//   - both legs end cleanly: the caller's BYE ends the call as
//     answered_by_agent, and the server's BYE reaches baresip over TLS.
func TestBaresipTLSAgentWithMandatorySRTP(t *testing.T) {
	bin, moduleDir := needBaresip(t)
	if _, err := os.Stat(filepath.Join(moduleDir, "srtp.so")); err != nil {
		missingTool(t, "baresip module srtp.so not found in "+moduleDir+" (set BARESIP_MODULE_DIR)")
	}
	f := newTLSFixture(t)
	h := start(t, baresipConfig, f.withTLS(nil, "1001"))
	agent := startBaresipTLS(t, bin, moduleDir, f.certFile, h.srv.SIPTLSAddr().String())
	h.waitRegistered("1001")
	agent.logIn(t, h)

	caller := h.dial(h.tlsPhone(f, "13800000005", "", true), "95598")
	if !caller.SRTP() {
		t.Fatal("the caller's leg is not SRTP")
	}
	id := caller.CallID()
	h.events.waitNode(t, id, "menu")
	press(t, caller, "0")
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool {
		return e.Kind == call.AgentAnswered && e.Agent == "1001"
	})
	caller.SendTone(500)
	// The agent's tone lasts agentToneFor from its answer; hearing most of
	// it also gives the caller's tone that long to reach the agent.
	heard(t, caller, 75, "caller hears the agent's tone through SRTP")
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	end := h.events.waitEnd(t, id)
	if end.Result != call.ResultAnsweredByAgent || end.HangupBy != call.HangupByCaller {
		t.Errorf("end: result %s by %s (%s), want answered_by_agent by caller", end.Result, end.HangupBy, end.Reason)
	}
	answered := agent.waitEvent(t, "the agent's phone answering", func(m baresipMessage) bool {
		return m.Type == "CALL_ESTABLISHED" && m.Direction == "incoming"
	})
	closed := agent.waitEvent(t, "the agent's call closed", func(m baresipMessage) bool {
		return m.Type == "CALL_CLOSED" && m.Direction == "incoming" && m.ID == answered.ID
	})
	if closed.Param != "Connection reset by peer" {
		t.Errorf("agent's call closed with %q, want the server's BYE (Connection reset by peer)", closed.Param)
	}
	heardByAgent := classifyFrames(agent.recording(t))
	t.Logf("agent heard: %+v", heardByAgent)
	if heardByAgent.callerSpeech < 50 {
		t.Errorf("agent heard %d frames of the caller, want at least 50 (1 s)", heardByAgent.callerSpeech)
	}
	if n := caller.SRTPAuthFailures(); n != 0 {
		t.Errorf("%d SRTP packets to the caller failed authentication", n)
	}
	h.waitIdle()
}

// startBaresipTLS is startBaresip with a TLS account: the server's
// certificate as CA file, SDES-SRTP mandatory, the server's TLS listener
// as registrar and outbound proxy.
func startBaresipTLS(t *testing.T, bin, moduleDir, caFile, server string) *baresip {
	t.Helper()
	for _, m := range baresipTLSModules {
		if _, err := os.Stat(filepath.Join(moduleDir, m)); err != nil {
			missingTool(t, fmt.Sprintf("baresip module %s not found in %s", m, moduleDir))
		}
	}
	account := fmt.Sprintf("<sip:1001@%s;transport=tls>;auth_pass=pw1001;answermode=auto;audio_codecs=PCMU,PCMA;"+
		"mediaenc=srtp-mand;regint=3600;outbound=\"sip:%s;transport=tls;lr\"\n", server, server)
	return runBaresip(t, bin, "1001", moduleDir, "module\tsrtp.so\nsip_cafile\t"+caFile+"\n", account)
}
