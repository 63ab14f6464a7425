package supervisorphone

import (
	"context"
	"time"

	"github.com/hotline-oss/hotline/ivr/interp"
	"github.com/hotline-oss/hotline/monitor"
	"github.com/hotline-oss/hotline/sip"
)

// Phones rings supervisors' softphones for the monitor API.
type Phones struct {
	// SIP is the endpoint, built after monitoring is: read when called.
	SIP         func() *sip.Endpoint
	RingTimeout time.Duration // monitor.ring_timeout
}

// Registered reports whether supervisor has a registered phone.
func (p Phones) Registered(supervisor string) bool {
	return len(p.SIP().Bindings(supervisor)) > 0
}

// Ring calls every registered phone of supervisor with the agent as caller
// ID, for monitor.ring_timeout.
func (p Phones) Ring(ctx context.Context, supervisor, agent string) (monitor.Leg, func(), error) {
	leg, err := p.SIP().DialAgent(ctx, supervisor, agent, p.RingTimeout)
	if err != nil {
		return monitor.Leg{}, nil, err
	}
	events, stop := pumpSupervisorLeg(leg)
	return monitor.Leg{Stream: leg.Media(), Events: events}, func() { leg.Hangup(); stop() }, nil
}

// pumpSupervisorLeg turns an outgoing leg's digits, end of playback and
// hang-up into the events a session reads; stop ends the pump.
func pumpSupervisorLeg(leg *sip.AgentLeg) (<-chan interp.Event, func()) {
	events := make(chan interp.Event, 8)
	done, exited := make(chan struct{}), make(chan struct{})
	st := leg.Media()
	go func() {
		defer close(exited)
		for {
			var ev interp.Event
			select {
			case d := <-st.Digits():
				ev = interp.Digit{D: d}
			case <-st.PlaybackDone():
				ev = interp.PlaybackDone{}
			case <-leg.Done():
				ev = interp.CallerHangup{}
			case <-done:
				return
			}
			select {
			case events <- ev:
			case <-done:
				return
			}
			if _, gone := ev.(interp.CallerHangup); gone {
				return
			}
		}
	}()
	return events, func() { close(done); <-exited }
}
