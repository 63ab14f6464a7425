package app

import (
	"github.com/hotline-oss/hotline/sip"
	"github.com/hotline-oss/hotline/sip/callout"
	"github.com/hotline-oss/hotline/trunk"
)

// Trunks wiring (docs/trunks.md); the logic lives in package trunk.

// newTrunks builds the configured trunks before the SIP endpoint, which
// asks them who sent each INVITE; their pings and registrations start
// with startTrunks once the endpoint listens.
func (s *Server) newTrunks(sc *sip.Config) error {
	if len(s.cfg.Trunks) == 0 {
		return nil
	}
	set, err := trunk.New(s.cfg.Trunks, trunk.Options{Logger: s.log, Registerer: s.metrics.Registry()})
	if err != nil {
		return err
	}
	s.trunks = set
	sc.Trunks = set
	sc.Guard.KnownPeer = set.KnownPeer
	return nil
}

func (s *Server) startTrunks() {
	if s.trunks != nil {
		s.trunks.Start(s.sip)
	}
}

// callbackRoutes dials callbacks through callback_gateway.trunks when
// they are set (nil: through callback_gateway.uri).
func (s *Server) callbackRoutes() func(number string) []callout.TrunkRoute {
	gw := s.cfg.CallbackGateway
	if s.trunks == nil || gw == nil || len(gw.Trunks) == 0 {
		return nil
	}
	return s.trunks.Routes(gw.Trunks, gw.FromNumber)
}
