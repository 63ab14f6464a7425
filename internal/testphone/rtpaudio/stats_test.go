package rtpaudio

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func audioPacket(ssrc uint32, seq uint16, pt uint8, sample int16) *rtp.Packet {
	payload := make([]byte, SamplesPerFrame)
	encode := Encoder(pt)
	for i := range payload {
		if i%2 == 0 { // alternate signs: a square-ish wave of the given level
			payload[i] = encode(sample)
		} else {
			payload[i] = encode(-sample)
		}
	}
	return &rtp.Packet{Header: rtp.Header{SSRC: ssrc, SequenceNumber: seq, PayloadType: pt}, Payload: payload}
}

func TestStatsClassifiesFramesByLoudness(t *testing.T) {
	r := newStatsRecorder(101)
	r.record(audioPacket(1, 1, PayloadTypePCMU, 0), epoch, "a:1")
	r.record(audioPacket(1, 2, PayloadTypePCMU, 150), epoch.Add(20*time.Millisecond), "a:1")
	r.record(audioPacket(1, 3, PayloadTypePCMA, 4000), epoch.Add(40*time.Millisecond), "a:1")
	r.record(&rtp.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: 4, PayloadType: 18}, Payload: []byte{1, 2}},
		epoch.Add(60*time.Millisecond), "b:2")

	got := r.snapshot()
	if got.Packets != 4 || got.SilentFrames != 2 || got.NonSilentFrames != 1 {
		t.Errorf("packets/silent/loud = %d/%d/%d, want 4/2/1", got.Packets, got.SilentFrames, got.NonSilentFrames)
	}
	if got.LastNonSilent != epoch.Add(40*time.Millisecond) || got.FirstPacket != epoch || got.LastPacket != epoch.Add(60*time.Millisecond) {
		t.Errorf("times: first %v last %v loud %v", got.FirstPacket, got.LastPacket, got.LastNonSilent)
	}
	if got.PayloadTypes[0] != 2 || got.PayloadTypes[8] != 1 || got.PayloadTypes[18] != 1 {
		t.Errorf("PayloadTypes = %v", got.PayloadTypes)
	}
	if got.SourceAddr != "b:2" || got.SourceAddrs != 2 {
		t.Errorf("SourceAddr = %s (%d sources)", got.SourceAddr, got.SourceAddrs)
	}
	got.PayloadTypes[0] = 99 // snapshots must not alias the recorder
	if r.snapshot().PayloadTypes[0] != 2 {
		t.Error("snapshot shares its map with the recorder")
	}
}

func TestStatsSequenceGapsAndSSRCs(t *testing.T) {
	r := newStatsRecorder(0)
	at := epoch
	for _, p := range []struct {
		ssrc uint32
		seq  uint16
	}{
		{1, 65534}, {1, 65535}, {1, 0}, // wrap: no gap
		{1, 3},   // 1 and 2 lost
		{1, 2},   // late packet
		{1, 4},   // back in order
		{2, 100}, // a new stream starts anywhere
		{2, 101},
	} {
		r.record(audioPacket(p.ssrc, p.seq, PayloadTypePCMU, 0), at, "x")
		at = at.Add(20 * time.Millisecond)
	}
	got := r.snapshot()
	if got.SeqGaps != 3 || got.SSRCs != 2 {
		t.Errorf("SeqGaps = %d, SSRCs = %d; want 3 and 2", got.SeqGaps, got.SSRCs)
	}
}

func TestStatsRecordsTelephoneEvents(t *testing.T) {
	r := newStatsRecorder(101)
	for i, frame := range digitFrames(11) {
		pkt := &rtp.Packet{Header: rtp.Header{SSRC: 1, SequenceNumber: uint16(i), PayloadType: 101, Timestamp: 800}, Payload: frame.payload}
		r.record(pkt, epoch, "x")
	}
	got := r.snapshot()
	if len(got.Events) != DigitToneFrames+DigitEndPackets {
		t.Fatalf("Events = %d, want %d", len(got.Events), DigitToneFrames+DigitEndPackets)
	}
	last := got.Events[len(got.Events)-1]
	if last != (ReceivedEvent{Event: 11, End: true, Duration: 800, Timestamp: 800}) {
		t.Errorf("last event = %+v", last)
	}
	if got.SilentFrames+got.NonSilentFrames != 0 {
		t.Error("events were counted as audio frames")
	}
}

func TestGapPercentiles(t *testing.T) {
	if p50, p99, maxGap := gapPercentiles(nil); p50 != 0 || p99 != 0 || maxGap != 0 {
		t.Errorf("empty: %v %v %v", p50, p99, maxGap)
	}
	gaps := make([]time.Duration, 0, 100)
	for i := 100; i >= 1; i-- { // unsorted on purpose
		gaps = append(gaps, time.Duration(i)*time.Millisecond)
	}
	p50, p99, maxGap := gapPercentiles(gaps)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || maxGap != 100*time.Millisecond {
		t.Errorf("percentiles = %v %v %v, want 50ms 99ms 100ms", p50, p99, maxGap)
	}
	if gaps[0] != 100*time.Millisecond {
		t.Error("gapPercentiles sorted its input in place")
	}
}

// quietAfterAudio is driven here by a fabricated clock.
func TestQuietAfterAudioCondition(t *testing.T) {
	const quiet = 100 * time.Millisecond
	r := newStatsRecorder(0)
	cond := quietAfterAudio(0, quiet)

	if done, recheck := cond(r, epoch, false); done || recheck != 0 {
		t.Fatalf("before audio: done=%v recheck=%v", done, recheck)
	}
	r.record(audioPacket(1, 1, PayloadTypePCMU, 4000), epoch, "x")
	if done, recheck := cond(r, epoch.Add(10*time.Millisecond), false); done || recheck != idleQuietFactor*quiet-10*time.Millisecond {
		t.Fatalf("just after audio: done=%v recheck=%v", done, recheck)
	}
	if done, _ := cond(r, epoch.Add(idleQuietFactor*quiet), false); !done {
		t.Error("an idle stream did not count as quiet")
	}
	for i := range 4 {
		r.record(audioPacket(1, uint16(2+i), PayloadTypePCMU, 0), epoch.Add(time.Duration(i+1)*FrameInterval), "x")
	}
	if done, _ := cond(r, epoch.Add(90*time.Millisecond), false); done {
		t.Error("80 ms of silence counted as 100 ms")
	}
	r.record(audioPacket(1, 6, PayloadTypePCMU, 0), epoch.Add(100*time.Millisecond), "x")
	if done, _ := cond(r, epoch.Add(100*time.Millisecond), false); !done {
		t.Error("100 ms of received silence was not quiet")
	}
	if done, _ := quietAfterAudio(1, quiet)(r, epoch, true); done {
		t.Error("no audio after the baseline, yet done")
	}
	if done, _ := quietAfterAudio(0, time.Hour)(r, epoch, true); !done {
		t.Error("closed media after audio should end the wait")
	}
}
