package registrar

import "time"

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }
