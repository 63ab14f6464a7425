package selfstats

import (
	"github.com/hotline-oss/hotline/media"
	"github.com/hotline-oss/hotline/media/rtpstats"
	"github.com/hotline-oss/hotline/metrics"
)

// MediaOptions connects the media engine's RTCP and stream-quality
// observers to the metrics, which media does not import.
func MediaOptions(md *metrics.Media) []media.PacerOption {
	directions := [...]string{
		media.RTCPReceived: metrics.RTCPIn,
		media.RTCPSent:     metrics.RTCPOut,
		media.RTCPInvalid:  metrics.RTCPInvalid,
	}
	return []media.PacerOption{
		media.WithRTCPObserver(func(d media.RTCPDirection) {
			if int(d) < len(directions) {
				md.CountRTCP(directions[d])
			}
		}),
		media.WithStreamEndObserver(func(q rtpstats.Quality) {
			md.ObserveStream(metrics.StreamQuality{
				HasReceived:      q.HasReceived,
				ReceivedJitter:   q.Jitter.Seconds(),
				ReceivedLoss:     q.LossRatio(),
				HasReported:      q.HasReported,
				ReportedJitter:   q.ReportedJitter.Seconds(),
				ReportedLossLast: q.ReportedFractionLost,
			})
		}),
	}
}
