package rtpaudio

import (
	"context"
	"math"
	"time"
)

// recentSamples is how much received audio is kept for tone checks: one
// second, several times any window a test asks about.
const recentSamples = ClockRate

// recentAudio is a ring of the latest received samples, decoded, in
// arrival order.
type recentAudio struct {
	buf   [recentSamples]int16
	next  int
	count int
	// received counts every sample ever added, so a wait can ask for audio
	// that arrived after a given moment.
	received int
}

func (a *recentAudio) add(table *[256]int16, payload []byte) {
	for _, code := range payload {
		a.buf[a.next] = table[code]
		a.next = (a.next + 1) % recentSamples
	}
	a.count = min(a.count+len(payload), recentSamples)
	a.received += len(payload)
}

// addLinear adds samples already decoded (G.722, brought to 8 kHz).
func (a *recentAudio) addLinear(pcm []int16) {
	for _, v := range pcm {
		a.buf[a.next] = v
		a.next = (a.next + 1) % recentSamples
	}
	a.count = min(a.count+len(pcm), recentSamples)
	a.received += len(pcm)
}

// amplitude estimates the amplitude of a hz sine in the last n
// samples with the Goertzel algorithm: about the sender's amplitude when
// the tone is there, near zero when it is not. 0 when fewer than n samples
// were received.
func (a *recentAudio) amplitude(hz float64, n int) float64 {
	if n <= 0 || a.count < n {
		return 0
	}
	coeff := 2 * math.Cos(2*math.Pi*hz/ClockRate)
	var s1, s2 float64
	start := (a.next - n + recentSamples) % recentSamples
	for i := range n {
		s0 := float64(a.buf[(start+i)%recentSamples]) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := (s1*s1 + s2*s2 - coeff*s1*s2) / float64(n*n)
	return 2 * math.Sqrt(max(power, 0))
}

// ToneAmplitude estimates the amplitude (0 to 32767) of a hz tone in the
// last window of received audio; 0 before that much audio arrived. A tone
// sent with SetTone measures near ToneAmplitude; one that is absent, near 0.
func (m *Session) ToneAmplitude(hz float64, window time.Duration) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rec == nil {
		return 0
	}
	return m.rec.recent.amplitude(hz, samplesIn(window))
}

// WaitTone blocks until the last window of audio received after the call
// to WaitTone carries a hz tone of at least minAmplitude.
func (m *Session) WaitTone(ctx context.Context, hz float64, window time.Duration, minAmplitude float64) error {
	n := samplesIn(window)
	m.mu.Lock()
	from := 0
	if m.rec != nil {
		from = m.rec.recent.received
	}
	m.mu.Unlock()
	return m.waitFor(ctx, func(s *statsRecorder, _ time.Time, _ bool) (bool, time.Duration) {
		a := &s.recent
		return a.received-from >= n && a.amplitude(hz, n) >= minAmplitude, 0
	})
}

func samplesIn(d time.Duration) int {
	return min(int(d*ClockRate/time.Second), recentSamples)
}
