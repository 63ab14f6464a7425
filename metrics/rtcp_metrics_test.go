package metrics

import (
	"math"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func gatherOne(t *testing.T, m *Metrics, name string, label string) *dto.Metric {
	t.Helper()
	for _, s := range familySeries(t, m, name) {
		for _, lp := range s.GetLabel() {
			if lp.GetValue() == label {
				return s
			}
		}
		if label == "" {
			return s
		}
	}
	t.Fatalf("%s{%s} not found", name, label)
	return nil
}

func TestMediaSeries(t *testing.T) {
	m := New()
	inUse := 3
	md := m.EnableMedia(func() int { return inUse })

	md.CountRTCP(RTCPIn)
	md.CountRTCP(RTCPOut)
	md.CountRTCP(RTCPOut)
	md.CountRTCP("sideways") // ignored
	if got := gatherOne(t, m, "hotline_rtcp_packets_total", RTCPOut).GetCounter().GetValue(); got != 2 {
		t.Errorf("out = %v, want 2", got)
	}
	if got := gatherOne(t, m, "hotline_rtcp_packets_total", RTCPInvalid).GetCounter().GetValue(); got != 0 {
		t.Errorf("invalid = %v, want 0 (pre-created)", got)
	}
	if got := gatherOne(t, m, "hotline_rtp_ports_in_use", "").GetGauge().GetValue(); got != 3 {
		t.Errorf("ports in use = %v, want 3", got)
	}

	md.ObserveStream(StreamQuality{HasReceived: true, ReceivedJitter: 0.004, ReceivedLoss: 0.02})
	md.ObserveStream(StreamQuality{HasReceived: true, ReceivedJitter: 0.001, ReceivedLoss: math.NaN(),
		HasReported: true, ReportedJitter: 0.03, ReportedLossLast: 1.5})
	md.ObserveStream(StreamQuality{}) // a stream that never received: nothing observed
	jit := gatherOne(t, m, "hotline_rtp_jitter_seconds", QualityReceived).GetHistogram()
	if jit.GetSampleCount() != 2 || math.Abs(jit.GetSampleSum()-0.005) > 1e-12 {
		t.Errorf("received jitter: count %d sum %v", jit.GetSampleCount(), jit.GetSampleSum())
	}
	loss := gatherOne(t, m, "hotline_rtp_loss_ratio", QualityReceived).GetHistogram()
	if loss.GetSampleCount() != 2 || math.Abs(loss.GetSampleSum()-0.02) > 1e-12 {
		t.Errorf("received loss: count %d sum %v (NaN must count as 0)", loss.GetSampleCount(), loss.GetSampleSum())
	}
	rep := gatherOne(t, m, "hotline_rtp_loss_ratio", QualityReported).GetHistogram()
	if rep.GetSampleCount() != 1 || rep.GetSampleSum() != 1 {
		t.Errorf("reported loss: count %d sum %v (1.5 clamps to 1)", rep.GetSampleCount(), rep.GetSampleSum())
	}
}

func TestCountRTCPDoesNotAllocate(t *testing.T) {
	md := New().EnableMedia(nil)
	if n := testing.AllocsPerRun(1000, func() { md.CountRTCP(RTCPIn) }); n != 0 {
		t.Fatalf("CountRTCP allocates %v times", n)
	}
}
