package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Directions of hotline_rtcp_packets_total and of the quality histograms.
const (
	// RTCPIn counts RTCP packets received (valid compound packets).
	RTCPIn = "in"
	// RTCPOut counts RTCP packets we sent.
	RTCPOut = "out"
	// RTCPInvalid counts datagrams on an RTCP port that did not parse.
	RTCPInvalid = "invalid"

	// QualityReceived is measured by us on the RTP we receive (RFC 3550
	// A.3 loss from sequence numbers, A.8 interarrival jitter).
	QualityReceived = "received"
	// QualityReported is what the peer's receiver reports say about the
	// RTP we send.
	QualityReported = "reported"
)

// StreamQuality is one finished stream's loss and jitter, for the
// histograms. A side without data (no RTP received, no receiver report)
// has its Has flag false and is not observed, so silent streams do not
// pile up fake zeros.
type StreamQuality struct {
	HasReceived      bool
	ReceivedJitter   float64 // seconds
	ReceivedLoss     float64 // 0..1, lost / expected over the whole stream
	HasReported      bool
	ReportedJitter   float64 // seconds, last receiver report
	ReportedLossLast float64 // 0..1, fraction lost of the last receiver report
}

// Media holds the per-stream quality and RTCP series. It is separate from
// Metrics so that the media engine's observers are plain functions the
// media package can call without importing this package.
type Media struct {
	jitter  *prometheus.HistogramVec
	loss    *prometheus.HistogramVec
	packets map[string]prometheus.Counter
}

// EnableMedia registers the RTP quality, RTCP and port-pool series.
// portsInUse is read at scrape time; nil leaves the gauge out.
func (m *Metrics) EnableMedia(portsInUse func() int) *Media {
	md := &Media{
		jitter: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_rtp_jitter_seconds",
			Help: "Interarrival jitter of each finished RTP stream (RFC 3550): received = measured by us, reported = the peer's last receiver report about our audio.",
			// A G.711 phone's jitter buffer is 20–60 ms; above 30 ms jitter
			// callers notice.
			Buckets: []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2},
		}, []string{"direction"}),
		loss: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hotline_rtp_loss_ratio",
			Help: "Packet loss of each finished RTP stream as a ratio: received = over the whole stream, measured by us; reported = fraction lost in the peer's last receiver report.",
			// G.711 without concealment degrades audibly from about 1 %.
			Buckets: []float64{0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1},
		}, []string{"direction"}),
		packets: make(map[string]prometheus.Counter, 3),
	}
	rtcp := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_rtcp_packets_total",
		Help: "RTCP compound packets: in = received and parsed, out = sent, invalid = received but malformed.",
	}, []string{"direction"})
	for _, d := range []string{RTCPIn, RTCPOut, RTCPInvalid} {
		md.packets[d] = rtcp.WithLabelValues(d)
	}
	for _, d := range []string{QualityReceived, QualityReported} {
		md.jitter.WithLabelValues(d)
		md.loss.WithLabelValues(d)
	}
	cs := []prometheus.Collector{md.jitter, md.loss, rtcp}
	if portsInUse != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_rtp_ports_in_use",
			Help: "RTP ports (each with its RTCP port) held by calls.",
		}, func() float64 { return float64(portsInUse()) }))
	}
	m.registry.MustRegister(cs...)
	return md
}

// CountRTCP adds one RTCP packet in direction (RTCPIn, RTCPOut or
// RTCPInvalid). It runs on media goroutines: the counters are resolved
// once, so it does not allocate. An unknown direction is ignored.
func (md *Media) CountRTCP(direction string) {
	if c, ok := md.packets[direction]; ok {
		c.Inc()
	}
}

// ObserveStream records one finished stream's quality.
func (md *Media) ObserveStream(q StreamQuality) {
	if q.HasReceived {
		md.jitter.WithLabelValues(QualityReceived).Observe(q.ReceivedJitter)
		md.loss.WithLabelValues(QualityReceived).Observe(clampRatio(q.ReceivedLoss))
	}
	if q.HasReported {
		md.jitter.WithLabelValues(QualityReported).Observe(q.ReportedJitter)
		md.loss.WithLabelValues(QualityReported).Observe(clampRatio(q.ReportedLossLast))
	}
}

// clampRatio keeps a ratio inside 0..1: duplicates can make received
// exceed expected, which would give a negative loss.
func clampRatio(r float64) float64 {
	switch {
	case r != r || r < 0: // NaN or negative
		return 0
	case r > 1:
		return 1
	}
	return r
}
