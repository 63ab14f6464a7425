package sip

import (
	"time"

	"github.com/hotline-oss/hotline/sip/guard"
)

// Test clocks and limits; package guard has its own for its tests.

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }

func limit(perSecond float64, burst int) guard.RateLimit {
	return guard.RateLimit{PerSecond: perSecond, Burst: burst}
}
