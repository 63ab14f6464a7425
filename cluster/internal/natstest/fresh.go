package natstest

import (
	"context"
	"testing"
)

// Buckets is a cluster connection as Fresh uses it: it makes the
// buckets and stream of its prefix, removes them, and closes.
type Buckets interface {
	Ensure(ctx context.Context) error
	Remove(ctx context.Context) error
	Close()
}

// Fresh makes the buckets and stream of a test's prefix through a
// connection open gives for node "admin" (closed when the test ends), and
// removes them when the test ends through another, for node "cleanup".
// open connects a node under the test's prefix.
func Fresh[C Buckets](t testing.TB, open func(node string) (C, error)) {
	t.Helper()
	admin, err := open("admin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	if err := admin.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := open("cleanup")
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close()
		if err := c.Remove(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
}
