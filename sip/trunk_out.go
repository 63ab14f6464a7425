package sip

import (
	"context"
	"net/netip"
	"time"

	"github.com/hotline-oss/hotline/sip/trunkout"
)

// TrunkRegistration is one REGISTER to a provider (package trunkout).
type TrunkRegistration = trunkout.Registration

func (e *Endpoint) trunkClient() trunkout.Client {
	return trunkout.Client{Client: e.client, Host: e.contactHost(), Port: e.cfg.Listen.Port(), Allow: allowed}
}

// Ping sends OPTIONS to dest and returns the answer's status; see
// trunkout.Ping.
func (e *Endpoint) Ping(ctx context.Context, dest netip.AddrPort, transport string) (int, error) {
	return trunkout.Ping(ctx, e.trunkClient(), dest, transport)
}

// RegisterTrunk registers our contact with a provider; see
// trunkout.Register.
func (e *Endpoint) RegisterTrunk(ctx context.Context, r TrunkRegistration) (time.Duration, int, error) {
	return trunkout.Register(ctx, e.trunkClient(), r)
}
