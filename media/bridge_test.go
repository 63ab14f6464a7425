package media

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/record"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// bridgedPair returns two unstarted, bridged streams on recording conns,
// driven by explicit times.
func bridgedPair(t *testing.T, callerCodec, agentCodec rtpcodec.Codec) (caller, agent *Stream, callerConn, agentConn *recordingConn, h *BridgeHandle) {
	t.Helper()
	caller, callerConn = newTestStream(StreamConfig{Codec: callerCodec, DTMFPayloadType: 101})
	agent, agentConn = newTestStream(StreamConfig{Codec: agentCodec, DTMFPayloadType: 101})
	h, err := Bridge(caller, agent)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return caller, agent, callerConn, agentConn, h
}

// sendOne makes s send the frame due at now and returns its payload.
func sendOne(t *testing.T, s *Stream, conn *recordingConn, now time.Duration) []byte {
	t.Helper()
	s.sendDue(now, nil)
	pkts := conn.take()
	if len(pkts) != 1 {
		t.Fatalf("sent %d packets at %v, want 1", len(pkts), now)
	}
	return pkts[0].Payload
}

func transcoded(frame []byte, table *[256]byte) []byte {
	out := make([]byte, len(frame))
	for i, code := range frame {
		out[i] = table[code]
	}
	return out
}

func TestBridgeRelaysAndTranscodes(t *testing.T) {
	caller, agent, callerConn, agentConn, _ := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMA)
	fromCaller, fromAgent := mediatest.ToneFrame(rtpcodec.PCMU), mediatest.ToneFrame(rtpcodec.PCMA)

	caller.handlePacket(rtpPacket(0, 1, 0, 7, fromCaller), peer, 0)
	if got := sendOne(t, agent, agentConn, 0); !bytes.Equal(got, transcoded(fromCaller, rtpcodec.TranscodeTable(rtpcodec.PCMU, rtpcodec.PCMA))) {
		t.Fatal("agent leg did not send the caller's frame in A-law")
	}
	if got := sendOne(t, agent, agentConn, 20*ms); !bytes.Equal(got, alawSilenceFrame) {
		t.Fatal("underflow did not send A-law silence")
	}
	agent.handlePacket(rtpPacket(8, 1, 0, 9, fromAgent), peer, 0)
	if got := sendOne(t, caller, callerConn, 0); !bytes.Equal(got, transcoded(fromAgent, rtpcodec.TranscodeTable(rtpcodec.PCMA, rtpcodec.PCMU))) {
		t.Fatal("caller leg did not send the agent's frame in µ-law")
	}
	st := agent.Stats()
	if st.RelayedFrames != 1 || st.RelayUnderflows != 1 || st.RelayDroppedFrames != 0 {
		t.Fatalf("agent relay stats %+v", st)
	}
	if st := caller.Stats(); st.RelayedFrames != 1 || st.RelayUnderflows != 0 {
		t.Fatalf("caller relay stats %+v", st)
	}
}

func TestBridgeKeepsDigitsOutOfTheAudio(t *testing.T) {
	caller, agent, _, agentConn, _ := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMU)
	for i, pkt := range mediatest.Press(5, 3) {
		caller.handlePacket(rtpPacket(101, uint16(i+1), 800, 7, pkt), peer, 0)
	}
	select {
	case d := <-caller.Digits():
		if d != '5' {
			t.Fatalf("digit %q", d)
		}
	default:
		t.Fatal("digit on a bridged stream did not reach Digits()")
	}
	if got := sendOne(t, agent, agentConn, 0); !bytes.Equal(got, ulawSilenceFrame) {
		t.Fatal("a telephone-event reached the other leg as audio")
	}
}

func TestPlayOverridesRelayThenRelayResumes(t *testing.T) {
	caller, agent, _, agentConn, _ := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMU)
	announcement := playout.NewPrompt("agent 1024", mediatest.Tone(700, 6000, 2*rtpcodec.FrameDuration))
	agent.Play(announcement)
	voice := mediatest.ToneFrame(rtpcodec.PCMU)
	now := time.Duration(0)
	var sent [][]byte
	for seq := range 4 {
		caller.handlePacket(rtpPacket(0, uint16(seq), 0, 7, voice), peer, now)
		sent = append(sent, sendOne(t, agent, agentConn, now))
		now += rtpcodec.FrameDuration
	}
	for i := range 2 {
		if !bytes.Equal(sent[i], announcement.Frame(rtpcodec.PCMU, i)) {
			t.Fatalf("frame %d is not the announcement", i)
		}
	}
	select {
	case <-agent.PlaybackDone():
	default:
		t.Fatal("PlaybackDone not signalled under a bridge")
	}
	for i := 2; i < 4; i++ {
		if !bytes.Equal(sent[i], voice) {
			t.Fatalf("frame %d: the relay did not resume after the announcement", i)
		}
	}
	// The relay drained under the announcement: what resumed is live,
	// not two frames old, and nothing was lost to overflow.
	if st := agent.Stats(); st.RelayedFrames != 2 || st.RelayDroppedFrames != 0 || st.RelayUnderflows != 0 {
		t.Fatalf("agent relay stats %+v", st)
	}
}

func TestBridgeCloseUnbridges(t *testing.T) {
	caller, agent, _, agentConn, h := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMU)
	if _, err := Bridge(caller, newTestStreamOnly()); !errors.Is(err, ErrBridged) {
		t.Fatalf("bridging a bridged stream: %v", err)
	}
	if _, err := Bridge(caller, caller); !errors.Is(err, ErrBridged) {
		t.Fatalf("bridging a stream to itself: %v", err)
	}
	caller.handlePacket(rtpPacket(0, 1, 0, 7, mediatest.ToneFrame(rtpcodec.PCMU)), peer, 0)
	h.Close()
	h.Close()
	if got := sendOne(t, agent, agentConn, 0); !bytes.Equal(got, ulawSilenceFrame) {
		t.Fatal("audio relayed before Close was sent after it")
	}
	caller.handlePacket(rtpPacket(0, 2, 160, 7, mediatest.ToneFrame(rtpcodec.PCMU)), peer, 20*ms)
	if got := sendOne(t, agent, agentConn, 20*ms); !bytes.Equal(got, ulawSilenceFrame) {
		t.Fatal("audio relayed after Close")
	}
	prompt := playout.NewPrompt("after", mediatest.Tone(500, 6000, rtpcodec.FrameDuration))
	agent.Play(prompt)
	if got := sendOne(t, agent, agentConn, 40*ms); !bytes.Equal(got, prompt.Frame(rtpcodec.PCMU, 0)) {
		t.Fatal("playback after Close")
	}
	if _, err := h.StartRecording(&bytes.Buffer{}); !errors.Is(err, ErrBridgeClosed) {
		t.Fatalf("recording a closed bridge: %v", err)
	}
	again, err := Bridge(agent, caller)
	if err != nil {
		t.Fatalf("bridging again after Close: %v", err)
	}
	again.Close()
}

func newTestStreamOnly() *Stream {
	s, _ := newTestStream(StreamConfig{})
	return s
}

func TestHoldPlaysMusicAndParksBothDirections(t *testing.T) {
	caller, agent, callerConn, agentConn, h := bridgedPair(t, rtpcodec.PCMU, rtpcodec.PCMU)
	music := playout.NewPrompt("music", mediatest.Tone(400, 6000, 3*rtpcodec.FrameDuration))
	voice := mediatest.ToneFrame(rtpcodec.PCMU)
	h.Hold(music)
	h.Hold(nil) // already held: ignored
	if !h.Held() {
		t.Fatal("not held")
	}
	now := time.Duration(0)
	for i := range 5 {
		caller.handlePacket(rtpPacket(0, uint16(i), 0, 7, voice), peer, now)
		agent.handlePacket(rtpPacket(0, uint16(i), 0, 9, voice), peer, now)
		if got := sendOne(t, caller, callerConn, now); !bytes.Equal(got, music.Frame(rtpcodec.PCMU, i%3)) {
			t.Fatalf("frame %d to the held caller is not the music", i)
		}
		if got := sendOne(t, agent, agentConn, now); !bytes.Equal(got, ulawSilenceFrame) {
			t.Fatalf("frame %d: the agent hears the held caller", i)
		}
		now += rtpcodec.FrameDuration
	}
	h.Unhold()
	caller.handlePacket(rtpPacket(0, 9, 0, 7, voice), peer, now)
	agent.handlePacket(rtpPacket(0, 9, 0, 9, voice), peer, now)
	if got := sendOne(t, caller, callerConn, now); !bytes.Equal(got, voice) {
		t.Fatal("caller does not hear the agent after Unhold")
	}
	if got := sendOne(t, agent, agentConn, now); !bytes.Equal(got, voice) {
		t.Fatal("agent does not hear the caller after Unhold")
	}
	if caller.Playing() {
		t.Fatal("hold music still playing")
	}
}

func TestPlayLoop(t *testing.T) {
	s, conn := newTestStream(StreamConfig{})
	a := playout.NewPrompt("a", mediatest.Tone(400, 6000, 2*rtpcodec.FrameDuration))
	b := playout.NewPrompt("b", mediatest.Tone(900, 6000, rtpcodec.FrameDuration))
	s.PlayLoop(a, playout.Silence(0), b)
	now := time.Duration(0)
	for i := range 9 {
		want := a.Frame(rtpcodec.PCMU, i%3)
		if i%3 == 2 {
			want = b.Frame(rtpcodec.PCMU, 0)
		}
		if got := sendOne(t, s, conn, now); !bytes.Equal(got, want) {
			t.Fatalf("frame %d is not loop frame %d", i, i%3)
		}
		now += rtpcodec.FrameDuration
	}
	select {
	case <-s.PlaybackDone():
		t.Fatal("PlaybackDone signalled by a loop")
	default:
	}
	if !s.Playing() {
		t.Fatal("a loop reports not playing")
	}
	s.Play(b) // replaces the loop and finishes normally
	sendOne(t, s, conn, now)
	if got := sendOne(t, s, conn, now+rtpcodec.FrameDuration); !bytes.Equal(got, ulawSilenceFrame) {
		t.Fatal("the loop came back after Play")
	}
	select {
	case <-s.PlaybackDone():
	default:
		t.Fatal("Play after PlayLoop did not signal")
	}
	s.PlayLoop(a)
	s.StopPlayback()
	if got := sendOne(t, s, conn, now+2*rtpcodec.FrameDuration); !bytes.Equal(got, ulawSilenceFrame) || s.Playing() {
		t.Fatal("StopPlayback did not end the loop")
	}
	s.PlayLoop(playout.NewPrompt("empty", nil), playout.Silence(0))
	if got := sendOne(t, s, conn, now+3*rtpcodec.FrameDuration); !bytes.Equal(got, ulawSilenceFrame) || s.Playing() {
		t.Fatal("looping nothing should be silence, not playing")
	}
}

// silentBridge bridges a caller's and an agent's stream that send nowhere,
// both scheduled on the pacer's first slot.
func silentBridge(t testing.TB, callerCodec, agentCodec rtpcodec.Codec) (caller, agent *Stream, h *BridgeHandle) {
	t.Helper()
	caller = newStream(&discardConn{}, StreamConfig{Remote: peer, Codec: callerCodec}, nil)
	agent = newStream(&discardConn{}, StreamConfig{Remote: peer, Codec: agentCodec}, nil)
	caller.setSchedule(0)
	agent.setSchedule(0)
	h, err := Bridge(caller, agent)
	if err != nil {
		t.Fatal(err)
	}
	return caller, agent, h
}

// The per-packet bridge paths must not allocate: receive → relay (with a
// recording tap) on the read loop, and relay → send on the pacer.
func TestRelayPathDoesNotAllocate(t *testing.T) {
	caller, agent, h := silentBridge(t, rtpcodec.PCMU, rtpcodec.PCMA)
	defer h.Close()
	// The writer is not started: its intake fills, then drops and counts,
	// and neither allocates (record's tests cover the copying on its own).
	w, err := record.New(io.Discard, nil, func() time.Duration { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	rec := &Recording{w: w}
	caller.tap.Store(&recordTap{rec: rec, channel: channelCaller})
	pkt := rtpPacket(0, 1, 0, 7, mediatest.ToneFrame(rtpcodec.PCMU))
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(500, func() {
		caller.handlePacket(pkt, peer, now)
		agent.sendDue(now, nil)
		now += rtpcodec.FrameDuration
	})
	if allocs != 0 {
		t.Fatalf("relaying allocates %v times per frame", allocs)
	}
	if st := agent.Stats(); st.RelayedFrames < 500 || st.PacketsSent < 500 {
		t.Fatalf("agent stats %+v", st)
	}
}

func BenchmarkRelayFrame(b *testing.B) {
	for _, tc := range []struct {
		name          string
		caller, agent rtpcodec.Codec
	}{{"same-law", rtpcodec.PCMU, rtpcodec.PCMU}, {"transcode", rtpcodec.PCMU, rtpcodec.PCMA}} {
		b.Run(tc.name, func(b *testing.B) {
			caller := newStream(&discardConn{}, StreamConfig{Remote: peer, Codec: tc.caller}, nil)
			agent := newStream(&discardConn{}, StreamConfig{Remote: peer, Codec: tc.agent}, nil)
			agent.setSchedule(0)
			h, err := Bridge(caller, agent)
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			pkt := rtpPacket(0, 1, 0, 7, mediatest.ToneFrame(tc.caller))
			now := time.Duration(0)
			b.ReportAllocs()
			for b.Loop() {
				caller.handlePacket(pkt, peer, now)
				agent.sendDue(now, nil)
				now += rtpcodec.FrameDuration
			}
		})
	}
}
