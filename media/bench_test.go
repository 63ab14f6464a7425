//go:build unix

package media

import (
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/media/internal/mediatest"
	"github.com/hotline-oss/hotline/media/playout"
	"github.com/hotline-oss/hotline/media/rtpcodec"
)

// latencyHistogram collects lateness in 10 µs buckets without locks or
// allocation, so observing does not disturb what is measured.
type latencyHistogram struct {
	buckets [5000]atomic.Uint64 // up to 50 ms
	over    atomic.Uint64
}

const histogramBucket = 10 * time.Microsecond

func (h *latencyHistogram) observe(seconds float64) {
	i := int(time.Duration(seconds*float64(time.Second)) / histogramBucket)
	if i < 0 {
		i = 0
	}
	if i >= len(h.buckets) {
		h.over.Add(1)
		return
	}
	h.buckets[i].Add(1)
}

func (h *latencyHistogram) reset() {
	for i := range h.buckets {
		h.buckets[i].Store(0)
	}
	h.over.Store(0)
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *latencyHistogram) quantile(q float64) time.Duration {
	var total uint64
	for i := range h.buckets {
		total += h.buckets[i].Load()
	}
	total += h.over.Load()
	if total == 0 {
		return 0
	}
	want := uint64(q * float64(total))
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen > want {
			return time.Duration(i+1) * histogramBucket
		}
	}
	return time.Duration(len(h.buckets)) * histogramBucket
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPacer runs N streams playing to one local sink socket and
// reports per-frame send lateness and the process's CPU use. One
// iteration is one 20 ms frame period, so -benchtime=250x measures 5 s.
// Targets belong in the benchmark README, not in assertions here.
func BenchmarkPacer(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) { benchmarkPacer(b, n) })
	}
}

func benchmarkPacer(b *testing.B, streams int) {
	var hist latencyHistogram
	p := NewPacer(WithLatenessObserver(hist.observe))
	sink, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	go drain(sink)
	dest := sink.LocalAddr().(*net.UDPAddr).AddrPort()
	prompt := playout.NewPrompt("tone", mediatest.Tone(1000, 8000, time.Second))
	all := make([]*Stream, 0, streams)
	for range streams {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		s := NewStream(conn, StreamConfig{Remote: dest}, nil)
		s.Start(p)
		s.Play(prompt, prompt, prompt, prompt, prompt, prompt, prompt, prompt, prompt, prompt)
		all = append(all, s)
	}
	defer func() {
		p.Stop()
		for _, s := range all {
			s.Close()
		}
	}()
	p.Start()
	for _, s := range all { // warm up: every stream on its schedule
		for s.Stats().PacketsSent < 5 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	hist.reset()
	var sentBefore uint64
	for _, s := range all {
		sentBefore += s.Stats().PacketsSent
	}

	b.ResetTimer()
	cpuStart, wallStart := cpuTime(), time.Now()
	time.Sleep(time.Duration(b.N) * rtpcodec.FrameDuration) // the measurement window
	cpu, wall := cpuTime()-cpuStart, time.Since(wallStart)
	b.StopTimer()

	var sent uint64
	for _, s := range all {
		sent += s.Stats().PacketsSent
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(hist.quantile(0.50).Microseconds())/1000, "p50-late-ms")
	b.ReportMetric(float64(hist.quantile(0.99).Microseconds())/1000, "p99-late-ms")
	b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cpu-cores")
	b.ReportMetric(float64(sent-sentBefore)/wall.Seconds(), "pkts/s")
}

func drain(conn *net.UDPConn) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := conn.ReadFromUDPAddrPort(buf); err != nil {
			return
		}
	}
}

func BenchmarkSendFrame(b *testing.B) { benchmarkSend(b, StreamConfig{Remote: peer}) }

// benchmarkSend times sending one frame of a long prompt on a stream
// made with cfg.
func benchmarkSend(b *testing.B, cfg StreamConfig) {
	s := newStream(&discardConn{}, cfg, nil)
	s.setSchedule(0)
	s.Play(playout.NewPrompt("p", mediatest.Tone(1000, 8000, time.Minute)))
	now := time.Duration(0)
	b.ReportAllocs()
	for b.Loop() {
		s.sendDue(now, nil)
		now += rtpcodec.FrameDuration
	}
}

func BenchmarkHandlePacket(b *testing.B) {
	s := newStream(&discardConn{}, StreamConfig{Remote: peer}, nil)
	pkt := rtpPacket(0, 1, 0, 1, mediatest.ToneFrame(rtpcodec.PCMU))
	b.ReportAllocs()
	for b.Loop() {
		s.handlePacket(pkt, peer, 0)
	}
}
