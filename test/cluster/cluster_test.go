package cluster_test

import (
	"testing"
)

func TestClusterBehindTheFront(t *testing.T) {
	c := startCluster(t)

	t.Run("calls spread over the nodes", func(t *testing.T) {
		ok, failed := c.sipp(t, "95598", 12, 6)
		if ok != 12 || failed != 0 {
			t.Fatalf("sipp: %d calls succeeded, %d failed, want 12 and 0", ok, failed)
		}
		for _, n := range c.nodes {
			if got := callsOn(n); got < 3 {
				t.Errorf("%s took %v calls of 12, want at least 3", n.id, got)
			}
		}
	})
}
