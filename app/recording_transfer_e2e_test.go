package app

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/call"
	"github.com/hotline-oss/hotline/config"
	"github.com/hotline-oss/hotline/internal/testphone"
	"github.com/hotline-oss/hotline/store"
)

// Tones of the transfer recording tests: the caller, the first agent and
// the colleague the call is handed to.
const (
	toneCaller    = 500
	toneAgent     = 1300
	toneColleague = 1100
)

// recordGeneral records the acd test config's general queue.
func recordGeneral(cfg *config.Config) {
	q := cfg.Queues["general"]
	q.Recording = &config.Recording{Enabled: true}
	cfg.Queues["general"] = q
}

func TestRecordingFollowsAttendedTransfer(t *testing.T) {
	h := start(t, acdTestConfig, recordGeneral)
	caller, legA, id, a, b := callerWithAgent(t, h) // caller 500 Hz, 1001 1300 Hz
	talkFrom := time.Now()
	heard(t, caller, 50, "a second of the caller with 1001")
	consultA, legB := consultB(t, h, legA, id, a, b) // 1002 sends 1100 Hz
	if code, err := legA.ReferReplaces(ctxT(t, 5*time.Second), consultA); err != nil || code != 202 {
		t.Fatalf("REFER with Replaces: %d %v", code, err)
	}
	if final, err := legA.WaitReferFinal(ctxT(t, 5*time.Second)); err != nil || final != 200 {
		t.Fatalf("transfer NOTIFY: %d %v", final, err)
	}
	heard(t, caller, 75, "a second and a half of the caller with 1002")
	heard(t, legB, 25, "1002 hears the caller")
	checkTransferRecording(t, h, caller, id, talkFrom, true)
}

func TestRecordingFollowsBlindTransferToAnAgent(t *testing.T) {
	h := start(t, acdTestConfig, recordGeneral)
	first := h.agentPhone("1001", "pw1001", testphone.AutoAnswer)
	caller, id := h.dialAndPress("0")
	leg := waitIncoming(t, first)
	h.events.wait(t, id, "1001 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1001" })
	hearEachOther(t, caller, leg, "1001")
	talkFrom := time.Now()
	heard(t, caller, 50, "a second of the caller with 1001")

	second := h.agentPhone("1002", "pw1002", testphone.AutoAnswer)
	if code, err := leg.Refer(ctxT(t, 5*time.Second), "1002"); err != nil || code != 202 {
		t.Fatalf("REFER: %d %v", code, err)
	}
	legB := waitIncoming(t, second)
	h.events.wait(t, id, "1002 answered", func(e call.Event) bool { return e.Kind == call.AgentAnswered && e.Agent == "1002" })
	legB.SendTone(toneColleague)
	// 1002 hears only the bridge; what the caller hears may still be a prompt.
	heard(t, legB, 75, "a second and a half of 1002 with the caller")
	heard(t, caller, 25, "the caller hears 1002")
	// While the call waits for 1002 nobody is bridged: silence both sides.
	checkTransferRecording(t, h, caller, id, talkFrom, false)
}

// checkTransferRecording hangs the caller up and checks the call's one
// recording: as long as the call, the caller's tone on the left while
// bridged (throughout when callerThroughout: an attended transfer keeps
// the caller bridged but for the hand-over itself), the first agent's on
// the right and then the colleague's.
func checkTransferRecording(t *testing.T, h *harness, caller *testphone.Call, id string, talkFrom time.Time, callerThroughout bool) {
	t.Helper()
	if err := caller.Hangup(ctxT(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	talked := time.Since(talkFrom)
	saved := h.events.wait(t, id, "recording saved", func(e call.Event) bool { return e.Kind == call.RecordingSaved })
	h.events.waitEnd(t, id)
	h.flushStore()
	h.events.mu.Lock()
	savedEvents := 0
	for _, e := range h.events.events {
		if e.CallID == id && e.Kind == call.RecordingSaved {
			savedEvents++
		}
	}
	h.events.mu.Unlock()
	if savedEvents != 1 {
		t.Errorf("%d RecordingSaved events, want 1", savedEvents)
	}
	rows, err := h.srv.Store().Recordings(ctxT(t, 5*time.Second), store.RecordingFilter{From: time.Unix(0, 0), To: time.Now().AddDate(10, 0, 0)})
	if err != nil || len(rows) != 1 || rows[0].CallID != id || rows[0].File != saved.Detail || rows[0].Agent != "1001" {
		t.Fatalf("recording rows %+v (%v), want one of call %s", rows, err, id)
	}
	wav, err := os.ReadFile(filepath.Join(h.srv.cfg.DataDir, "recordings", filepath.FromSlash(saved.Detail)))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Bytes != int64(len(wav)) {
		t.Errorf("row says %d bytes, file has %d", rows[0].Bytes, len(wav))
	}
	left, right := stereoSamples(t, wav)
	length := time.Duration(len(left)) * time.Second / 8000
	if diff := rows[0].Duration - length; diff < -20*time.Millisecond || diff > 20*time.Millisecond {
		t.Errorf("row duration %v, file %v", rows[0].Duration, length)
	}
	if length < talked-300*time.Millisecond {
		t.Errorf("recording of %v for a talk of at least %v: it does not cover the whole call", length, talked)
	}
	l := toneBlocks(left, toneCaller, toneAgent, toneColleague)
	r := toneBlocks(right, toneCaller, toneAgent, toneColleague)
	t.Logf("%v recorded, talk %v\nleft  %s\nright %s", length, talked, l, r)
	var callerBlocks, bridgedBlocks, lastAgent, firstColleague, agentBlocks, colleagueBlocks = 0, 0, -1, -1, 0, 0
	for i := range r {
		if callerThroughout || r[i] != '.' {
			bridgedBlocks++
			if l[i] == 'A' {
				callerBlocks++
			}
		}
		switch r[i] {
		case 'B':
			agentBlocks, lastAgent = agentBlocks+1, i
		case 'C':
			colleagueBlocks++
			if firstColleague < 0 {
				firstColleague = i
			}
		}
	}
	if callerBlocks < bridgedBlocks*9/10 {
		t.Errorf("caller's tone on the left in %d of %d blocks, want it throughout", callerBlocks, bridgedBlocks)
	}
	if agentBlocks < 10 || colleagueBlocks < 10 {
		t.Errorf("right channel: %d blocks of the first agent, %d of the colleague; want a second of each", agentBlocks, colleagueBlocks)
	}
	if firstColleague < 0 || lastAgent > firstColleague {
		t.Errorf("right channel: the first agent (last at block %d) is not before the colleague (first at block %d)", lastAgent, firstColleague)
	}
}

// stereoSamples returns the channels of a 16-bit 8 kHz stereo WAV.
func stereoSamples(t *testing.T, wav []byte) (left, right []float64) {
	t.Helper()
	if len(wav) < 44 || string(wav[0:4]) != "RIFF" || binary.LittleEndian.Uint16(wav[22:24]) != 2 ||
		binary.LittleEndian.Uint32(wav[24:28]) != 8000 || binary.LittleEndian.Uint16(wav[34:36]) != 16 {
		t.Fatalf("not a 16-bit 8 kHz stereo WAV: %d bytes", len(wav))
	}
	data := wav[44:]
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, float64(int16(binary.LittleEndian.Uint16(data[i:]))))
		right = append(right, float64(int16(binary.LittleEndian.Uint16(data[i+2:]))))
	}
	return left, right
}

// toneBlocks labels each 100 ms of x with the tone that dominates it
// ('A', 'B', 'C' for the frequencies given) or '.' when none does.
func toneBlocks(x []float64, hz ...float64) string {
	const block = 800
	out := make([]byte, 0, len(x)/block)
	for start := 0; start+block <= len(x); start += block {
		label := byte('.')
		powers := make([]float64, len(hz))
		best := 0
		for i, f := range hz {
			powers[i] = goertzel(x[start:start+block], f)
			if powers[i] > powers[best] {
				best = i
			}
		}
		dominant := powers[best] > 1 // well above rounding noise of silence
		for i := range powers {
			if i != best && powers[best] < 10*powers[i] {
				dominant = false
			}
		}
		if dominant {
			label = byte('A' + best)
		}
		out = append(out, label)
	}
	return string(out)
}
