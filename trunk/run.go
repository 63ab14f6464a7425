package trunk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hotline-oss/hotline/sip"
)

// pingTimeout bounds one OPTIONS transaction: an answer later than this
// (or than the interval) counts as none.
const pingTimeout = 5 * time.Second

func (s *Set) registerMetrics(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	s.upGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hotline_trunk_up",
		Help: "1 while the trunk answers its OPTIONS pings, 0 once down_after pings in a row went unanswered.",
	}, []string{"trunk"})
	s.regGauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hotline_trunk_registered",
		Help: "1 while the trunk's outbound registration is granted, 0 otherwise (trunks with register only).",
	}, []string{"trunk"})
	s.callFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_trunk_call_failures_total",
		Help: "Calls out that the trunk itself failed (transport error, no response, 5xx, 403, refused credentials), each passed to the next trunk that is up.",
	}, []string{"trunk"})
	for _, c := range []prometheus.Collector{s.upGauge, s.regGauge, s.callFailures} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	for _, t := range s.trunks {
		s.callFailures.WithLabelValues(t.cfg.Name)
		if t.cfg.Register != nil {
			s.regGauge.WithLabelValues(t.cfg.Name).Set(0)
		}
	}
	return nil
}

func (s *Set) setUp(t *Trunk, up bool) {
	t.up.Store(up)
	if s.upGauge != nil {
		s.upGauge.WithLabelValues(t.cfg.Name).Set(b2f(up))
	}
}

func (s *Set) setRegistered(t *Trunk, ok bool) {
	t.reg.Store(ok)
	if s.regGauge != nil {
		s.regGauge.WithLabelValues(t.cfg.Name).Set(b2f(ok))
	}
}

// failedCall counts a call the trunk failed.
func (s *Set) failedCall(name string) func() {
	return func() {
		if s.callFailures != nil {
			s.callFailures.WithLabelValues(name).Inc()
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Start runs each trunk's pings, registration and host resolution until
// Close.
func (s *Set) Start(ep Endpoint) {
	for _, t := range s.trunks {
		s.wg.Add(1)
		go s.pingLoop(ep, t)
		if t.cfg.Register != nil {
			s.wg.Add(1)
			go s.registerLoop(ep, t)
		}
		if t.cfg.Host != "" {
			s.wg.Add(1)
			go s.resolveLoop(t)
		}
	}
}

// Close stops the loops and withdraws the registrations (best effort,
// bounded by a few seconds).
func (s *Set) Close() {
	if s == nil {
		return
	}
	s.cancel()
	s.wg.Wait()
}

// sleep waits d or until Close; false once closed.
func (s *Set) sleep(d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

func (s *Set) pingLoop(ep Endpoint, t *Trunk) {
	defer s.wg.Done()
	every := t.cfg.OptionsInterval
	for {
		if dest, ok := t.primary(); ok {
			ctx, cancel := context.WithTimeout(s.ctx, min(every, pingTimeout))
			status, err := ep.Ping(ctx, dest, t.cfg.Transport)
			cancel()
			if s.ctx.Err() != nil {
				return
			}
			s.observe(t, err == nil, status)
		} else {
			s.observe(t, false, 0) // a host never resolved: nowhere to ping
		}
		if !s.sleep(every) {
			return
		}
	}
}

// observe applies one ping's outcome and logs a change of state.
func (s *Set) observe(t *Trunk, answered bool, status int) {
	t.mu.Lock()
	changed := t.health.Observe(answered)
	up := t.health.Up()
	t.mu.Unlock()
	if !changed {
		return
	}
	s.setUp(t, up)
	if up {
		s.log.Info("trunk up: answers OPTIONS again", "trunk", t.cfg.Name, "status", status)
	} else {
		s.log.Warn("trunk down: OPTIONS unanswered", "trunk", t.cfg.Name, "missed", t.cfg.DownAfter)
	}
}

func (s *Set) registerLoop(ep Endpoint, t *Trunk) {
	defer s.wg.Done()
	state := NewRegistration(s.opts.Backoff)
	seq := &regSeq{callID: newCallID()}
	aor := t.aor()
	expires := t.cfg.Register.Expires
	for {
		wait := s.registerOnce(ep, t, state, seq, aor, expires)
		if !s.sleep(wait) {
			break
		}
	}
	if state.Registered() {
		if dest, ok := t.primary(); ok {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, _, _ = ep.RegisterTrunk(ctx, s.registration(t, seq, dest, aor, 0))
			cancel()
		}
	}
}

// regSeq is a registration's Call-ID, kept for the whole run, and its
// CSeq, raised by 2 per REGISTER: the answer to a challenge takes the
// number in between.
type regSeq struct {
	callID string
	cseq   uint32
}

func newCallID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "reg-" + hex.EncodeToString(b[:])
}

// registerOnce sends one REGISTER and returns the wait before the next.
func (s *Set) registerOnce(ep Endpoint, t *Trunk, state *Registration, seq *regSeq, aor string, expires time.Duration) time.Duration {
	dest, ok := t.primary()
	if !ok {
		return state.Failed()
	}
	ctx, cancel := context.WithTimeout(s.ctx, 32*time.Second)
	granted, status, err := ep.RegisterTrunk(ctx, s.registration(t, seq, dest, aor, expires))
	cancel()
	if s.ctx.Err() != nil {
		return 0
	}
	if err != nil {
		was := state.Registered()
		wait := state.Failed()
		s.setRegistered(t, false)
		s.log.Warn("trunk registration failed", "trunk", t.cfg.Name, "status", status, "err", err,
			"failures", state.Failures(), "retry_in", wait, "was_registered", was)
		return wait
	}
	if !state.Registered() {
		s.log.Info("trunk registered", "trunk", t.cfg.Name, "expires", granted)
	}
	s.setRegistered(t, true)
	return state.Granted(granted)
}

func (s *Set) registration(t *Trunk, seq *regSeq, dest netip.AddrPort, aor string, expires time.Duration) sip.TrunkRegistration {
	seq.cseq += 2
	return sip.TrunkRegistration{
		Dest: dest, Transport: t.cfg.Transport, AOR: aor,
		Username: t.cfg.Auth.Username, Password: t.password, Expires: expires,
		CallID: seq.callID, CSeq: seq.cseq,
	}
}

func (s *Set) resolveLoop(t *Trunk) {
	defer s.wg.Done()
	for s.sleep(t.cfg.ResolveEvery) {
		s.resolve(t)
		s.reindex()
	}
}
