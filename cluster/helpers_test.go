package cluster

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hotline-oss/hotline/cluster/internal/natstest"
)

// The harness shared with the election's tests (cluster/internal/natstest),
// under the names these tests use.
const natsURL = natstest.URL

var (
	needNATS   = natstest.NeedNATS
	testPrefix = natstest.Prefix
	waitFor    = natstest.WaitFor
	newProxy   = natstest.NewProxy
)

func testLog(testing.TB) *slog.Logger { return natstest.Log() }

// cluster is one test's cluster: its prefix and the connections opened.
type testCluster struct {
	t      testing.TB
	prefix string
	ttl    time.Duration
}

// newTestCluster makes the buckets and stream of a fresh prefix and
// removes them when the test ends.
func newTestCluster(t testing.TB, ttl time.Duration) *testCluster {
	t.Helper()
	needNATS(t)
	tc := &testCluster{t: t, prefix: testPrefix(t), ttl: ttl}
	natstest.Fresh(t, func(node string) (*Conn, error) {
		return Connect(context.Background(), tc.settings(node, natsURL))
	})
	return tc
}

func (tc *testCluster) settings(node, url string) Settings {
	return Settings{Node: node, URLs: []string{url}, Prefix: tc.prefix, LeaseTTL: tc.ttl,
		ConnectTimeout: 2 * time.Second, Log: testLog(tc.t)}
}

// connect opens a node's own connection, closed when the test ends.
func (tc *testCluster) connect(node, url string) *Conn {
	tc.t.Helper()
	c, err := Connect(context.Background(), tc.settings(node, url))
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.t.Cleanup(c.Close)
	return c
}

// node is one elector running on its own connection.
type node struct {
	*natstest.Elector
	conn *Conn
}

func (tc *testCluster) startNode(name, url string) *node {
	tc.t.Helper()
	c := tc.connect(name, url)
	return &node{Elector: natstest.StartElector(tc.t, c), conn: c}
}

func (n *node) leading() bool { return n.Leading() }

func (n *node) stop() { n.Stop() }
